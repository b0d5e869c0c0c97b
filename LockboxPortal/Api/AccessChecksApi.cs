using System.Security.Claims;
using LockboxPortal.Features.ApiTokens;
using LockboxPortal.Features.Grants;
using LockboxPortal.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LockboxPortal.Api;

/// <summary>
/// <c>POST /api/v1/access-checks</c>, for service clients only, and the public keys that verify grant tokens at
/// <c>/.well-known/jwks.json</c>.
/// </summary>
public static class AccessChecksApi
{
    public static RouteGroupBuilder MapAccessChecksApi(this RouteGroupBuilder api)
    {
        api.MapPost("/access-checks", CheckAsync)
            .WithTags("Access checks")
            .WithName("CheckAccess")
            .WithSummary("May this engineer do this in this tenant now? For the provider's data plane (service client tokens only).")
            .RequireAuthorization(ApiTokenDefaults.ServiceClientPolicy);
        return api;
    }

    public static IEndpointRouteBuilder MapJwks(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/.well-known/jwks.json", async (GrantTokenService tokens, CancellationToken ct) => TypedResults.Ok(await tokens.PublishedKeysAsync(ct)))
            .WithTags("Grant tokens")
            .WithName("Jwks")
            .WithSummary("The public keys (JWKS) that verify grant tokens.")
            .AllowAnonymous();
        return endpoints;
    }

    private static async Task<Ok<AccessCheckResponse>> CheckAsync(AccessCheckInput body, ClaimsPrincipal user, HttpContext context, AccessCheckService checks, CancellationToken ct)
    {
        var verdict = await checks.CheckAsync(body, ApiPrincipal.ServiceClientActor(user), AccountEndpoints.ClientOf(context), ct);
        return TypedResults.Ok(verdict.IsAllowed
            ? new AccessCheckResponse(true, verdict.RequestId, verdict.GrantEndsAt, null, verdict.Emergency ? true : null)
            : new AccessCheckResponse(false, null, null, verdict.Reason.ToString()));
    }
}
