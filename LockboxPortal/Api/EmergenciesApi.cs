using System.Security.Claims;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.ApiTokens;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LockboxPortal.Api;

/// <summary>
/// <c>/api/v1/emergencies</c>: declare an emergency (its grant opens at once) and review an unratified one. The tenant's
/// approvers ratify or reject it through <c>POST /api/v1/requests/{id}/decision</c> like any customer decision
/// (docs/decisions/0016-emergency-access-ratified-after.md).
/// </summary>
public static class EmergenciesApi
{
    public static RouteGroupBuilder MapEmergenciesApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/emergencies").WithTags("Emergencies").RequireAuthorization(ApiTokenDefaults.PersonPolicy);

        group.MapPost("/", DeclareAsync).WithName("DeclareEmergency")
            .WithSummary("Declare an emergency (Engineer): access opens at once for the tenant's emergency length (at most 60 minutes), to be ratified afterwards.")
            .WithDescription("The emergency is a request (its emergency.ratification is awaitingRatification) whose grant opens now; every approver and "
                + "officer of the tenant is emailed. The tenant's approvers ratify (approve) or reject it with POST /api/v1/requests/{id}/decision within the "
                + "tenant's window, with its quorum, veto and factor rules; a rejection revokes a grant still running. Unsettled at the window's end, it is "
                + "unratified, and the engineer's next emergency in that tenant is refused until a security officer reviews it. "
                + "Refusals: 400 validation (incidentReference, justification, scope, accessLevel, tenantId; a scope outside the tenant's catalogue where it requires one, "
                + "or one the engineer already holds a grant on, on scope), 403 forbidden (not an Engineer), 409 emergency-access-off (the tenant does not allow "
                + "emergency access), 409 emergency-unreviewed (the engineer's unratified emergency there awaits an officer's review).");
        group.MapPost("/{id:guid}/review", ReviewAsync).WithName("ReviewEmergency")
            .WithSummary("A security officer of the tenant reviews an unratified emergency, with a note; its engineer may declare there again.")
            .WithDescription("Refusals: 400 validation (note missing or longer than 2,000 characters), 403 forbidden (not a security officer of the tenant), "
                + "404 not-found, 409 not-unratified (the emergency was ratified, rejected, is still awaiting ratification, or was reviewed already).");
        return api;
    }

    private static async Task<Created<RequestResponse>> DeclareAsync(DeclareEmergencyBody body, ClaimsPrincipal user, AccessRequestService requests, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (body.TenantId is null)
        {
            errors["TenantId"] = ["Name the tenant."];
        }

        if (body.AccessLevel is null)
        {
            errors["AccessLevel"] = ["Choose read or readWrite."];
        }

        if (errors.Count > 0)
        {
            throw new InvalidInputException(errors);
        }

        var declared = await requests.DeclareEmergencyAsync(
            user, new DeclareEmergencyInput(body.TenantId!.Value, body.Scope, body.AccessLevel!.Value, body.IncidentReference, body.Justification), ct);
        var row = await requests.GetAsync(user, declared.Id, ct) ?? throw new NotFoundException();
        return TypedResults.Created($"/api/v1/requests/{declared.Id}", RequestResponse.From(row));
    }

    private static async Task<Ok<RequestResponse>> ReviewAsync(Guid id, ReviewEmergencyBody body, ClaimsPrincipal user, AccessRequestService requests, CancellationToken ct)
    {
        var reviewed = await requests.ReviewEmergencyAsync(user, id, body.Note, ct);
        var row = await requests.GetAsync(user, reviewed.Id, ct) ?? throw new NotFoundException();
        return TypedResults.Ok(RequestResponse.From(row));
    }
}
