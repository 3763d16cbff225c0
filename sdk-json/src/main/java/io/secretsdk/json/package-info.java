/**
 * JSON-valued secrets with Jackson 2 databind: a secret as a tree, as a record or POJO, one field
 * by JSON pointer, a JSON object expanded into dotted property names, and the {@code
 * .dockerconfigjson} of a {@code kubernetes.io/dockerconfigjson} Secret as registry credentials.
 *
 * <p>Start at {@link io.secretsdk.json.JsonSecrets#create()}. Documents are parsed once per
 * distinct content of a secret; a secret rotated to malformed JSON keeps serving its last good
 * document, and errors name the key and the position, never the content.
 */
package io.secretsdk.json;
