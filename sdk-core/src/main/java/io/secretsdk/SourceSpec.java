package io.secretsdk;

import java.nio.file.Path;

/** What the builder was told about one source. */
sealed interface SourceSpec {

  record Mount(Path root, String prefix, boolean optional) implements SourceSpec {}

  record Environment(String prefix) implements SourceSpec {}
}
