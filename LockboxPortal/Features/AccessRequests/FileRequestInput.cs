namespace LockboxPortal.Features.AccessRequests;

/// <summary>What an engineer fills in to file a request. A null duration takes the tenant's default.</summary>
public sealed record FileRequestInput(
    Guid TenantId,
    string? Scope,
    AccessLevel AccessLevel,
    string? Justification,
    string? TicketReference,
    TimeSpan? Duration);

/// <summary>A request with the name of its tenant, for lists and pages.</summary>
public sealed record RequestRow(AccessRequest Request, string TenantName);

/// <summary>A tenant an engineer may file for, with the limits its policy sets.</summary>
public sealed record FileableTenant(Guid Id, string Name, string ShortName, TimeSpan DefaultDuration, TimeSpan MaxDuration, bool RequiresTicket);

/// <summary>Which visible requests to list: optional filters and a page (<see cref="Take"/> at most 100).</summary>
public sealed record RequestListFilter(RequestStatus? Status, Guid? TenantId, DateTimeOffset? CreatedAfter, int Skip, int Take);
