namespace LockboxPortal.Features.AccessRequests;

/// <summary>
/// What an engineer fills in to file a request. A null duration takes the tenant's default; a null start opens the
/// grant at approval, a later one (up to 7 days ahead) at the later of the approval and it. A reason is required
/// (null is refused with a message).
/// </summary>
public sealed record FileRequestInput(
    Guid TenantId,
    string? Scope,
    AccessLevel AccessLevel,
    string? Justification,
    string? TicketReference,
    TimeSpan? Duration,
    DateTimeOffset? StartsAt = null,
    RequestReason? Reason = null);

/// <summary>
/// A request with the name of its tenant, for lists and pages, and the fresh-factor window its tenant asks a decision
/// to carry a factor within (null when none), so a decision dialog knows to ask for one.
/// </summary>
public sealed record RequestRow(AccessRequest Request, string TenantName, TimeSpan? FreshFactorWindow = null)
{
    /// <summary>The questions asked about the request and their answers, oldest first.</summary>
    public IReadOnlyList<RequestQuestion> Questions { get; init; } = [];

    /// <summary>Questions still waiting for the engineer's answer.</summary>
    public int OpenQuestions => Questions.Count(q => !q.IsAnswered);
}

/// <summary>
/// A tenant an engineer may file for, with the limits its policy sets: the reasons it accepts and, when it accepts
/// only scopes from its catalogue, that catalogue (null when any scope may be asked for).
/// </summary>
public sealed record FileableTenant(Guid Id, string Name, string ShortName, TimeSpan DefaultDuration, TimeSpan MaxDuration, bool RequiresTicket)
{
    public IReadOnlyList<RequestReason> Reasons { get; init; } = RequestReasonWords.All;

    public IReadOnlyList<ScopeCatalogueEntry>? Catalogue { get; init; }

    /// <summary>The reasons whose quorum the tenant cannot gather right now: a request for one would wait, and may expire, unapproved.</summary>
    public IReadOnlyList<RequestReason> QuorumUnmetFor { get; init; } = [];
}

/// <summary>Which visible requests to list: optional filters and a page (<see cref="Take"/> at most 100).</summary>
public sealed record RequestListFilter(RequestStatus? Status, Guid? TenantId, DateTimeOffset? CreatedAfter, int Skip, int Take)
{
    /// <summary>Words found in the reference, the requester's name, the scope or the ticket (any case).</summary>
    public string? Search { get; init; }

    /// <summary>Filed before this moment (the end of a date range).</summary>
    public DateTimeOffset? CreatedBefore { get; init; }

    public RequestSort Sort { get; init; } = RequestSort.Newest;
}

/// <summary>How a list of requests is ordered; every order ends with the id, so paging is stable.</summary>
public enum RequestSort
{
    Newest,
    Oldest,

    /// <summary>Requests still waiting for a decision first, each part newest first.</summary>
    PendingFirst,
    Reference,
    Deadline,
}

/// <summary>What the request page offers the person looking at it; <see cref="YouApproved"/> when their approval already counts.</summary>
public sealed record RequestActions(bool DecideInternal, bool DecideCustomer, bool Cancel, bool Revoke, bool Release, bool YouApproved)
{
    /// <summary>The most the requesting engineer may ask for on the running grant now; null when they may not ask.</summary>
    public TimeSpan? ExtendUpTo { get; init; }

    public bool Extend => ExtendUpTo is not null;

    /// <summary>A security officer of the tenant may review this unratified emergency now.</summary>
    public bool ReviewEmergency { get; init; }

    public bool Any => DecideInternal || DecideCustomer || Cancel || Revoke || Release || Extend || ReviewEmergency;
}

/// <summary>
/// What a decision or revoke dialog closes with: the comment (a revoke's reason), the fresh factor, if asked for, and
/// for a customer approval of less time than requested, the duration allowed.
/// </summary>
/// <summary>What the "Ask for more time" dialog closes with.</summary>
public sealed record ExtensionInput(TimeSpan Minutes, string Justification);

public sealed record DecisionInput(string? Comment, FreshFactor? Factor)
{
    public TimeSpan? AllowedDuration { get; init; }
}
