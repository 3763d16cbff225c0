package io.secretsdk.examples.microprofile;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The admin API: protected by the rotating basic-auth pair. */
@Path("/admin")
public class AdminResource {

  @Inject ServiceCredentials credentials;
  @Inject SecretsAudit audit;

  /**
   * Who is configured and how many rotations were applied; 401 without the current pair. Never the
   * password.
   */
  @GET
  @Path("/credentials")
  @Produces(MediaType.TEXT_PLAIN)
  public Response credentials(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
    if (!credentials.accepts(authorization)) {
      return Response.status(Response.Status.UNAUTHORIZED)
          .header(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"admin\"")
          .build();
    }
    return Response.ok(
            "username="
                + credentials.username()
                + " rotations="
                + credentials.rotations()
                + " secrets-revision="
                + audit.revision())
        .build();
  }
}
