using System.Security.Claims;
using LockboxPortal.Authorization;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.ApiTokens;
using LockboxPortal.Features.Grants;
using LockboxPortal.Features.Tenants;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LockboxPortal.Api;

/// <summary>
/// <c>/api/v1/requests</c>: the same operations as the portal, through the same services, which load the caller's
/// roles from storage and authorize each one. Refusals surface as problem details (see <see cref="ApiProblems"/>).
/// </summary>
public static class RequestsApi
{
    public const int MaxPageSize = 100;

    public static RouteGroupBuilder MapRequestsApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/requests").WithTags("Requests").RequireAuthorization(ApiTokenDefaults.PersonPolicy);

        group.MapPost("/", FileAsync).WithName("FileRequest").WithSummary("File an access request (Engineer).");
        group.MapGet("/", ListAsync).WithName("ListRequests").WithSummary("The requests the caller may see, newest first.");
        group.MapGet("/{id:guid}", GetAsync).WithName("GetRequest").WithSummary("One request the caller may see.");
        group.MapPost("/{id:guid}/decision", DecideAsync).WithName("DecideRequest")
            .WithSummary("Approve or reject the stage the caller may decide: internal (EngineeringManager) or customer (tenant approver).")
            .WithDescription("Refusals include 409 already-decided, 409 grant-held (the approval would open a second grant for an engineer who already "
                + "holds one on an overlapping scope in the tenant; the request stays pending).");
        group.MapPost("/{id:guid}/cancel", CancelAsync).WithName("CancelRequest").WithSummary("The requesting engineer cancels a pending request.");
        group.MapPost("/{id:guid}/revoke", RevokeAsync).WithName("RevokeGrant").WithSummary("A tenant approver or security officer ends an active grant.");
        group.MapPost("/{id:guid}/release", ReleaseAsync).WithName("ReleaseGrant").WithSummary("The requesting engineer ends their own grant.");
        group.MapPost("/{id:guid}/extensions", ExtendAsync).WithName("ExtendGrant")
            .WithSummary("The requesting engineer asks for more time on their active grant (an extension, decided like a request).")
            .WithDescription("Files an extension: a request of its own (its extendsRequestId names this one) that goes through the provider's and the "
                + "customer's stages and quorum; at its approval this grant ends later, never past twice the tenant's maximum from its start nor past what the "
                + "tenant's scope catalogue allows in all. It carries this grant's reason and ticket. "
                + "Refusals: 400 validation (minutes out of range, justification missing, a reason or ticket the tenant no longer accepts), 403 forbidden (not the requesting engineer), "
                + "404 not-found, 409 grant-not-active (the grant is not running), 409 extension-pending (another extension awaits its decisions).");
        group.MapPost("/{id:guid}/questions", AskAsync).WithName("AskQuestion")
            .WithSummary("Ask the requesting engineer a question: whoever may decide the stage the request is at (EngineeringManager, or a tenant approver or delegate). The deadline does not move.");
        group.MapPost("/{id:guid}/questions/{questionId:guid}/answer", AnswerAsync).WithName("AnswerQuestion")
            .WithSummary("The requesting engineer answers a question about their request, once.");
        group.MapGet("/{id:guid}/grant-token", GrantTokenAsync).WithName("GetGrantToken")
            .WithSummary("A signed grant token (ES256, at most 5 minutes, never past the grant's end) for the requesting engineer.");
        return api;
    }

    private static async Task<Created<RequestResponse>> FileAsync(FileRequestBody body, ClaimsPrincipal user, AccessRequestService requests, CancellationToken ct)
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

        if (body.DurationMinutes is < 1 or > 7 * 24 * 60)
        {
            errors["DurationMinutes"] = ["Ask for 1 minute to 7 days; the tenant's policy sets the real limit."];
        }

        if (errors.Count > 0)
        {
            throw new InvalidInputException(errors);
        }

        var input = new FileRequestInput(body.TenantId!.Value, body.Scope, body.AccessLevel!.Value, body.Justification, body.TicketReference,
            body.DurationMinutes is { } minutes ? TimeSpan.FromMinutes(minutes) : null, body.StartsAt, body.Reason);
        var filed = await requests.FileAsync(user, input, ct);
        var row = await requests.GetAsync(user, filed.Id, ct) ?? throw new NotFoundException();
        return TypedResults.Created($"/api/v1/requests/{filed.Id}", RequestResponse.From(row));
    }

    private static async Task<Ok<RequestPage>> ListAsync(
        ClaimsPrincipal user, AccessRequestService requests, CancellationToken ct,
        [System.ComponentModel.Description("A status, e.g. pendingCustomer or approved")] string? status = null, Guid? tenant = null, DateTimeOffset? createdAfter = null, int skip = 0, int take = 50)
    {
        if (skip < 0 || take is < 1 or > MaxPageSize)
        {
            throw InvalidInputException.For("Take", $"Page with skip >= 0 and take from 1 to {MaxPageSize}.");
        }

        RequestStatus? statusFilter = null;
        if (status is not null)
        {
            if (!Enum.TryParse<RequestStatus>(status, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || char.IsDigit(status[0]))
            {
                throw InvalidInputException.For("Status", "Unknown status; use one of " + string.Join(", ", Enum.GetNames<RequestStatus>()) + ".");
            }

            statusFilter = parsed;
        }

        var (rows, total) = await requests.ListVisibleAsync(user, new RequestListFilter(statusFilter, tenant, createdAfter, skip, take), ct);
        return TypedResults.Ok(new RequestPage(rows.Select(RequestResponse.From).ToList(), total, skip, take));
    }

    private static async Task<Ok<RequestResponse>> GetAsync(Guid id, ClaimsPrincipal user, AccessRequestService requests, CancellationToken ct)
    {
        var row = await requests.GetAsync(user, id, ct) ?? throw new NotFoundException();
        return TypedResults.Ok(RequestResponse.From(row));
    }

    private static async Task<Ok<RequestResponse>> DecideAsync(Guid id, DecisionBody body, ClaimsPrincipal user, AccessRequestService requests, CancellationToken ct)
    {
        if (body.Decision is not { } decision)
        {
            throw InvalidInputException.For("Decision", "Say approve or reject.");
        }

        if (body.DurationMinutes is < 1 or > 7 * 24 * 60)
        {
            throw InvalidInputException.For("DurationMinutes", "Allow 1 minute to 7 days; never more than was requested.");
        }

        var row = await requests.GetAsync(user, id, ct) ?? throw new NotFoundException();
        var decided = await requests.DecideAsync(user, id, decision == DecisionKind.Approve, body.Comment, new FreshFactor(body.Totp), ct,
            body.DurationMinutes is { } minutes ? TimeSpan.FromMinutes(minutes) : null);
        return TypedResults.Ok(RequestResponse.From(decided, row.TenantName));
    }

    private static async Task<Ok<RequestResponse>> CancelAsync(Guid id, ClaimsPrincipal user, AccessRequestService requests, CancellationToken ct) =>
        TypedResults.Ok(await ReloadAsync(user, requests, await requests.CancelAsync(user, id, ct), ct));

    private static async Task<Ok<RequestResponse>> RevokeAsync(
        Guid id, RevokeBody body, ClaimsPrincipal user, GrantService grants, AccessRequestService requests, CancellationToken ct) =>
        TypedResults.Ok(await ReloadAsync(user, requests, await grants.RevokeAsync(user, id, body.Reason, new FreshFactor(body.Totp), ct), ct));

    private static async Task<Ok<RequestResponse>> ReleaseAsync(Guid id, ClaimsPrincipal user, GrantService grants, AccessRequestService requests, CancellationToken ct) =>
        TypedResults.Ok(await ReloadAsync(user, requests, await grants.ReleaseAsync(user, id, ct), ct));

    private static async Task<Created<RequestResponse>> ExtendAsync(Guid id, ExtensionBody body, ClaimsPrincipal user, AccessRequestService requests, CancellationToken ct)
    {
        if (body.Minutes is not { } minutes || minutes is < 1 or > 7 * 24 * 60)
        {
            throw InvalidInputException.For("Minutes", "Say how many more minutes, from 1 to 7 days; the tenant's policy sets the real limit.");
        }

        var filed = await requests.FileExtensionAsync(user, id, TimeSpan.FromMinutes(minutes), body.Justification, ct);
        return TypedResults.Created($"/api/v1/requests/{filed.Id}", await ReloadAsync(user, requests, filed, ct));
    }

    private static async Task<Created<QuestionResponse>> AskAsync(Guid id, QuestionBody body, ClaimsPrincipal user, AccessRequestService requests, CancellationToken ct)
    {
        var asked = await requests.AskAsync(user, id, body.Text, ct);
        return TypedResults.Created($"/api/v1/requests/{id}", QuestionResponse.From(asked));
    }

    private static async Task<Ok<QuestionResponse>> AnswerAsync(
        Guid id, Guid questionId, QuestionBody body, ClaimsPrincipal user, AccessRequestService requests, CancellationToken ct) =>
        TypedResults.Ok(QuestionResponse.From(await requests.AnswerAsync(user, id, questionId, body.Text, ct)));

    private static async Task<Ok<GrantTokenResponse>> GrantTokenAsync(Guid id, ClaimsPrincipal user, GrantTokenService tokens, CancellationToken ct)
    {
        var issued = await tokens.IssueAsync(user, id, ct);
        return TypedResults.Ok(new GrantTokenResponse(issued.Token, issued.ExpiresAt, issued.KeyId));
    }

    private static async Task<RequestResponse> ReloadAsync(ClaimsPrincipal user, AccessRequestService requests, AccessRequest changed, CancellationToken ct)
    {
        var row = await requests.GetAsync(user, changed.Id, ct);
        return row is null ? RequestResponse.From(changed, "") : RequestResponse.From(row);
    }
}
