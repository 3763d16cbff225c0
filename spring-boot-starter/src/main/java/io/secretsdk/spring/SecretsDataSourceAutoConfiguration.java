package io.secretsdk.spring;

import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * With HikariCP and at least one {@code secrets:} import: the auto-configured pool (the {@code
 * dataSource} bean) follows rotations of {@code spring.datasource.username} / {@code
 * spring.datasource.password} without a restart or a context refresh. Turn it off with {@code
 * secretsdk.datasource.follow-credentials=false}.
 */
@AutoConfiguration(
    afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@ConditionalOnClass(HikariDataSource.class)
@ConditionalOnBean(SecretsImports.class)
@ConditionalOnProperty(name = "secretsdk.datasource.follow-credentials", matchIfMissing = true)
public final class SecretsDataSourceAutoConfiguration {

  /** The bean name of Spring Boot's auto-configured data source. */
  static final String DATA_SOURCE_BEAN = "dataSource";

  /** Created by Spring. */
  public SecretsDataSourceAutoConfiguration() {}

  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnBean(name = DATA_SOURCE_BEAN, value = DataSource.class)
  SecretsDataSourceCredentials secretsDataSourceCredentials(
      SecretsImports imports,
      Environment environment,
      org.springframework.beans.factory.BeanFactory beans) {
    DataSource dataSource = beans.getBean(DATA_SOURCE_BEAN, DataSource.class);
    HikariDataSource hikari = SecretsDataSourceCredentials.hikari(dataSource);
    if (hikari == null) {
      throw new IllegalStateException(
          "the 'dataSource' bean is not a HikariCP pool, so it cannot follow rotated credentials; set secretsdk.datasource.follow-credentials=false");
    }
    return new SecretsDataSourceCredentials(imports, environment, DATA_SOURCE_BEAN, hikari);
  }
}
