package io.secretsdk.examples.spring;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The database user and password, bound from the {@code kubernetes.io/basic-auth} Secret mounted at
 * {@code /etc/secrets/db} ({@code username}, {@code password}, imported with the prefix {@code
 * app.datasource.}). A record, so a pair is always whole: the {@code SecretsBinding} bean in {@link
 * OrdersApplication} binds a new one after every rotation and hands out the current one, never the
 * user of one rotation with the password of another.
 *
 * @param username the database user
 * @param password the database password; never logged or returned
 */
@ConfigurationProperties("app.datasource")
public record DatabaseCredentials(String username, String password) {

  @Override
  public String toString() {
    return "DatabaseCredentials[username=" + username + ", password=****]";
  }
}
