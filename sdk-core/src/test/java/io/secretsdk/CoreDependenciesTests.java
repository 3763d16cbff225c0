package io.secretsdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * secretsdk-core is the JDK only at run time: every dependency its pom declares is test scope, so
 * an application that adds the core gets exactly one jar. The signer and its protocol live in
 * secretsdk-signer.
 */
class CoreDependenciesTests {

  @Test
  void everyDeclaredDependencyIsTestScope() throws Exception {
    Path pom = Path.of("pom.xml");
    assertThat(pom).as("run from the sdk-core module directory").exists();
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    Element project =
        factory.newDocumentBuilder().parse(Files.newInputStream(pom)).getDocumentElement();
    assertThat(child(project, "artifactId")).isEqualTo("secretsdk-core");
    List<String> runtime = new ArrayList<>();
    List<String> all = new ArrayList<>();
    for (Element dependencies : children(project, "dependencies")) {
      for (Element dependency : children(dependencies, "dependency")) {
        String coordinates = child(dependency, "groupId") + ":" + child(dependency, "artifactId");
        all.add(coordinates);
        if (!"test".equals(child(dependency, "scope"))) {
          runtime.add(coordinates);
        }
      }
    }
    assertThat(all)
        .as("the test dependencies are found, so the check reads the right element")
        .contains("org.junit.jupiter:junit-jupiter");
    assertThat(runtime).as("dependencies of secretsdk-core outside test scope").isEmpty();
    assertThat(children(project, "parent")).hasSize(1);
  }

  @Test
  void noSignerOrJsonClassIsOnTheCoreClassPath() {
    ClassLoader loader = SecretStore.class.getClassLoader();
    assertThat(loader.getResource("com/fasterxml/jackson/core/JsonFactory.class")).isNull();
    assertThat(loader.getResource("io/secretsdk/signer/Signer.class")).isNull();
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> out = new ArrayList<>();
    NodeList nodes = parent.getChildNodes();
    for (int i = 0; i < nodes.getLength(); i++) {
      Node n = nodes.item(i);
      if (n instanceof Element && ((Element) n).getTagName().equals(name)) {
        out.add((Element) n);
      }
    }
    return out;
  }

  private static String child(Element parent, String name) {
    List<Element> found = children(parent, name);
    return found.isEmpty() ? null : found.get(0).getTextContent().trim();
  }
}
