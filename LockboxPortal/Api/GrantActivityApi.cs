using System.ComponentModel;
using System.Security.Claims;
using LockboxPortal.Features.ApiTokens;
using LockboxPortal.Features.Transparency;
using LockboxPortal.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LockboxPortal.Api;

/// <summary>
/// <c>/api/v1/grants/{requestId}/activity</c>: a service client reports what it did under a grant (POST), and whoever
/// may view the request reads the reports and the access checks counted per minute (GET). See
/// <see cref="TransparencyService"/>.
/// </summary>
public static class GrantActivityApi
{
    public static RouteGroupBuilder MapGrantActivityApi(this RouteGroupBuilder api)
    {
        api.MapPost("/grants/{requestId:guid}/activity", ReportAsync)
            .WithTags("Access transparency")
            .WithName("ReportGrantActivity")
            .WithSummary("Report what was done under a grant: 1 to 100 actions, each with its resource and time (service client tokens only).")
            .WithDescription("The batch is stored whole or not at all, in one audit entry, and shown live on the customer's request page. "
                + $"Each report's time must lie inside the grant's window, give or take {TransparencyService.ClockSkew.TotalMinutes:0} minutes for clocks, and never ahead of now; "
                + "each resource must lie under the grant's scope. Refusals: 400 validation (a missing or bad field, hidden characters in an action, more than "
                + $"{TransparencyService.MaxBatch} reports), 403 forbidden (not a service client token), 404 not-found (no such request in the tenant named), "
                + "409 grant-not-opened (the request never opened a grant), 409 activity-outside-window, 409 activity-outside-scope.")
            .RequireAuthorization(ApiTokenDefaults.ServiceClientPolicy);
        api.MapGet("/grants/{requestId:guid}/activity", ReadAsync)
            .WithTags("Access transparency")
            .WithName("GetGrantActivity")
            .WithSummary("What was done under a grant: the reports, oldest first, and the access checks counted per minute (whoever may view the request).")
            .RequireAuthorization(ApiTokenDefaults.PersonPolicy);
        return api;
    }

    private static async Task<Created<ActivityReportResponse>> ReportAsync(
        Guid requestId, ActivityReportBody body, ClaimsPrincipal user, HttpContext context, TransparencyService transparency, CancellationToken ct)
    {
        var input = new ActivityReportInput(body.Tenant, body.Activities?.Select(a => a is null ? null : new ActivityReportItem(a.Action, a.Resource, a.At)).ToList());
        var stored = await transparency.ReportAsync(user, requestId, input, AccountEndpoints.ClientOf(context), ct);
        return TypedResults.Created($"/api/v1/grants/{requestId}/activity", new ActivityReportResponse(stored[0].BatchId, stored.Count));
    }

    private static async Task<Ok<GrantActivityResponse>> ReadAsync(Guid requestId, ClaimsPrincipal user, TransparencyService transparency, CancellationToken ct)
    {
        var view = await transparency.ActivityAsync(user, requestId, ct) ?? throw new NotFoundException();
        return TypedResults.Ok(new GrantActivityResponse(
            view.Reports.Select(r => new ActivityResponse(r.OccurredAt, r.Action, r.Resource, r.ClientName, r.ReportedAt)).ToList(),
            view.CheckMinutes.Select(m => new CheckMinuteResponse(m.Minute, m.Allowed, m.FirstAllowedAt, m.LastAllowedAt, m.Refused, m.FirstRefusedAt, m.LastRefusedAt)).ToList()));
    }
}

/// <summary>What a service client did under a grant, in one batch.</summary>
public sealed record ActivityReportBody(
    [property: Description("The grant's tenant, by id or short name")] string? Tenant,
    [property: Description("1 to 100 reports")] IReadOnlyList<ActivityReportItemBody?>? Activities);

public sealed record ActivityReportItemBody(
    [property: Description("What was done, 1 to 100 visible characters, e.g. mailbox.read")] string? Action,
    [property: Description("What it was done to: a scope under the grant's, e.g. Exchange:mailbox/ana@contoso.com/inbox")] string? Resource,
    [property: Description("When it was done (ISO 8601 with offset), inside the grant's window")] DateTimeOffset? At);

public sealed record ActivityReportResponse(Guid BatchId, int Stored);

public sealed record GrantActivityResponse(IReadOnlyList<ActivityResponse> Reports, IReadOnlyList<CheckMinuteResponse> CheckMinutes);

public sealed record ActivityResponse(DateTimeOffset At, string Action, string Resource, string ClientName, DateTimeOffset ReportedAt);

public sealed record CheckMinuteResponse(
    [property: Description("The minute's start (UTC)")] DateTimeOffset Minute,
    int Allowed, DateTimeOffset? FirstAllowedAt, DateTimeOffset? LastAllowedAt,
    int Refused, DateTimeOffset? FirstRefusedAt, DateTimeOffset? LastRefusedAt);
