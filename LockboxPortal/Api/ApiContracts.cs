using System.ComponentModel;
using System.Text.Json.Serialization;
using LockboxPortal.Features.AccessRequests;

namespace LockboxPortal.Api;

/// <summary>File a request. A missing duration takes the tenant's default.</summary>
public sealed record FileRequestBody(
    Guid? TenantId,
    [property: Description("Workload and resource, e.g. Exchange:mailbox/ana@contoso.com")] string? Scope,
    AccessLevel? AccessLevel,
    [property: Description("10 to 2,000 characters")] string? Justification,
    string? TicketReference,
    [property: Description("Requested grant duration in minutes; the tenant's default when absent")] int? DurationMinutes,
    [property: Description("A scheduled start, up to 7 days ahead: the grant opens at the later of the approval and this; at approval when absent")] DateTimeOffset? StartsAt = null,
    [property: Description("Why the provider asks (required): customerSupport (with the customer's case number as ticketReference), providerIncident, maintenance or legalOrRegulatory")] RequestReason? Reason = null);

/// <summary>Declare an emergency: access opens at once, for the tenant's approvers to ratify or reject afterwards.</summary>
public sealed record DeclareEmergencyBody(
    Guid? TenantId,
    [property: Description("Workload and resource, e.g. Exchange:mailbox/ana@contoso.com")] string? Scope,
    AccessLevel? AccessLevel,
    [property: Description("The incident (required): 3 to 64 characters, letters, digits and - _ . : / #, starting with a letter or digit, e.g. INC-2026-0042")] string? IncidentReference,
    [property: Description("10 to 2,000 characters")] string? Justification);

/// <summary>A security officer's review of an unratified emergency.</summary>
public sealed record ReviewEmergencyBody([property: Description("What the review found (required), up to 2,000 characters")] string? Note);

/// <summary>On an emergency: its incident and where its after-the-fact ratification stands.</summary>
public sealed record EmergencyResponse(
    string IncidentReference,
    [property: Description("awaitingRatification, ratified, rejected or unratified")] string Ratification,
    [property: Description("The end of the tenant's window to ratify or reject it")] DateTimeOffset RatifyBy,
    DateTimeOffset? ReviewedAt,
    string? ReviewedByName,
    string? ReviewNote)
{
    public static EmergencyResponse? From(AccessRequest r) => r.Ratification is { } ratification
        ? new(r.IncidentReference!, ratification == Features.AccessRequests.Ratification.Pending ? "awaitingRatification" : System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(ratification.ToString()),
            r.ExpiresAt, r.ReviewedAt, r.ReviewedByName, r.ReviewNote)
        : null;
}

public enum DecisionKind
{
    Approve,
    Reject,
}

public sealed record DecisionBody(
    DecisionKind? Decision,
    string? Comment,
    [property: Description(TotpDescription.Text)] string? Totp = null,
    [property: Description("A customer approval for less time than requested, in minutes (15 up to the requested duration); the grant lasts the shortest any counted approver allowed")] int? DurationMinutes = null);

/// <summary>Ask for more time on an active grant: an extension, decided like a request.</summary>
public sealed record ExtensionBody(
    [property: Description("How many more minutes: 15 up to the tenant's maximum grant, and never past twice that maximum from the grant's start")] int? Minutes,
    [property: Description("Why the work needs longer: 10 to 2,000 characters")] string? Justification);

public sealed record RevokeBody(
    [property: Description("Why the grant ends early (required)")] string? Reason,
    [property: Description(TotpDescription.Text)] string? Totp = null);

internal static class TotpDescription
{
    public const string Text = "The 6-digit code the caller's authenticator app shows now; required where the tenant asks for a fresh factor "
        + "with each decision (refused otherwise with .../fresh-factor-missing, -wrong, -stale or -reused). Each code counts once.";
}

public sealed record DecisionResponse(
    DecisionStage Stage, DecisionOutcome Outcome, string DeciderName, string? OnBehalfOfName, string? Comment, DateTimeOffset DecidedAt,
    [property: Description("A customer approval for less time than requested: the minutes this approver allowed")] int? AllowedDurationMinutes = null);

public sealed record RequestResponse(
    Guid Id,
    string Reference,
    Guid TenantId,
    string TenantName,
    string RequesterId,
    string RequesterName,
    string Scope,
    AccessLevel AccessLevel,
    string Justification,
    string? TicketReference,
    int RequestedDurationMinutes,
    [property: Description("The start the engineer scheduled, or null to start at approval")] DateTimeOffset? StartsAt,
    RequestStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    int? RequiredApprovals,
    DateTimeOffset? GrantStartsAt,
    DateTimeOffset? GrantEndsAt,
    DateTimeOffset? ClosedAt,
    string? ClosedReason,
    IReadOnlyList<DecisionResponse> Decisions,
    [property: Description("On an extension: the request whose grant it asks more time for")] Guid? ExtendsRequestId = null,
    [property: Description("On an extension: that request's reference")] string? ExtendsReference = null)
{
    [Description("Why the provider asks; null on requests filed before reasons were recorded")]
    public RequestReason? Reason { get; init; }

    [Description("On an emergency (declared, its grant opened at once): its incident and ratification; null on an ordinary request")]
    public EmergencyResponse? Emergency { get; init; }

    [Description("The questions approvers asked the engineer, oldest first, with the answers")]
    public IReadOnlyList<QuestionResponse> Questions { get; init; } = [];

    public static RequestResponse From(RequestRow row)
    {
        var r = row.Request;
        return new RequestResponse(
            r.Id, r.Reference, r.TenantId, row.TenantName, r.RequesterId, r.RequesterName, r.Scope, r.AccessLevel, r.Justification, r.TicketReference,
            (int)r.RequestedDuration.TotalMinutes, r.StartsAt, r.Status, r.CreatedAt, r.ExpiresAt, r.RequiredApprovals, r.GrantStartsAt, r.GrantEndsAt, r.ClosedAt, r.ClosedReason,
            r.Decisions.OrderBy(d => d.DecidedAt).Select(d => new DecisionResponse(d.Stage, d.Outcome, d.DeciderName, d.OnBehalfOfName, d.Comment, d.DecidedAt, (int?)d.AllowedDuration?.TotalMinutes)).ToList(),
            r.ExtendsRequestId, r.ExtendsReference)
        {
            Reason = r.Reason,
            Emergency = EmergencyResponse.From(r),
            Questions = row.Questions.Select(QuestionResponse.From).ToList(),
        };
    }

    public static RequestResponse From(AccessRequest request, string tenantName) => From(new RequestRow(request, tenantName));
}

/// <summary>Ask the requesting engineer, or answer an approver's question: plain text, 1 to 2,000 characters.</summary>
public sealed record QuestionBody([property: Description("Plain text, 1 to 2,000 characters")] string? Text);

public sealed record QuestionResponse(
    Guid Id,
    [property: Description("The stage the request was at when asked: internal (the provider's manager) or customer")] DecisionStage Stage,
    string AskerName,
    string Text,
    DateTimeOffset AskedAt,
    [property: Description("The engineer's answer; null until answered")] string? Answer,
    string? AnswererName,
    DateTimeOffset? AnsweredAt)
{
    public static QuestionResponse From(RequestQuestion q) =>
        new(q.Id, q.Stage, q.AskerName, q.Text, q.AskedAt, q.Answer, q.AnswererName, q.AnsweredAt);
}

public sealed record RequestPage(IReadOnlyList<RequestResponse> Items, int Total, int Skip, int Take);

/// <summary>The access check's answer: allowed with the grant, or refused with the access decision's reason.</summary>
public sealed record AccessCheckResponse(
    bool Allowed,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Guid? RequestId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? GrantEndsAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), Description("True when an emergency grant allows it: opened at once, before the customer ratified it")] bool? Emergency = null);

public sealed record GrantTokenResponse(string Token, DateTimeOffset ExpiresAt, string KeyId);

/// <summary>A tenant an engineer may file into, with what its policy asks of a filing.</summary>
public sealed record FileableTenantResponse(
    Guid Id,
    string Name,
    string ShortName,
    [property: Description("The duration a filing without durationMinutes asks for")] int DefaultDurationMinutes,
    [property: Description("The longest grant the tenant allows")] int MaxDurationMinutes,
    [property: Description("Whether every filing needs a ticketReference")] bool RequiresTicket,
    [property: Description("The reasons the tenant accepts a filing for")] IReadOnlyList<RequestReason> Reasons,
    [property: Description("The scopes that may be requested, when the tenant requires its catalogue; null when any scope may be")] IReadOnlyList<CatalogueEntryResponse>? Catalogue,
    [property: Description("The reasons whose quorum the tenant's approvers cannot gather right now: a request for one would wait, and may expire, unapproved")] IReadOnlyList<RequestReason> QuorumUnmetFor)
{
    public static FileableTenantResponse From(FileableTenant tenant) => new(
        tenant.Id, tenant.Name, tenant.ShortName, (int)tenant.DefaultDuration.TotalMinutes, (int)tenant.MaxDuration.TotalMinutes, tenant.RequiresTicket, tenant.Reasons,
        tenant.Catalogue?.Select(e => new CatalogueEntryResponse(e.Pattern, e.MaxAccessLevel, (int)e.MaxDuration.TotalMinutes)).ToList(), tenant.QuorumUnmetFor);
}

/// <summary>One entry of a tenant's scope catalogue.</summary>
public sealed record CatalogueEntryResponse(
    [property: Description("A scope, a scope ending in /* for what lies beneath it, or a workload with :*")] string Pattern,
    [property: Description("The highest access level that may be requested under it")] AccessLevel MaxAccessLevel,
    [property: Description("The longest duration that may be requested under it")] int MaxDurationMinutes);
