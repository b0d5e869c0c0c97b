using System.Security.Claims;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.ApiTokens;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LockboxPortal.Api;

/// <summary>
/// <c>/api/v1/tenants</c>: what an engineer needs before filing through the API, the same list the portal's new-request
/// form shows, through the same service and authorization.
/// </summary>
public static class TenantsApi
{
    public static RouteGroupBuilder MapTenantsApi(this RouteGroupBuilder api)
    {
        api.MapGroup("/tenants").WithTags("Tenants").RequireAuthorization(ApiTokenDefaults.PersonPolicy)
            .MapGet("/", ListFileableAsync).WithName("ListFileableTenants")
            .WithSummary("The active tenants the engineer may file into: each one's limits, the reasons it accepts and, where it requires one, its scope catalogue (Engineer).");
        return api;
    }

    private static async Task<Ok<IReadOnlyList<FileableTenantResponse>>> ListFileableAsync(ClaimsPrincipal user, AccessRequestService requests, CancellationToken ct) =>
        TypedResults.Ok<IReadOnlyList<FileableTenantResponse>>((await requests.ListFileableTenantsAsync(user, ct)).Select(FileableTenantResponse.From).ToList());
}
