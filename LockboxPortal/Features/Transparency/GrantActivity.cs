namespace LockboxPortal.Features.Transparency;

/// <summary>
/// One thing a service client says it did under a grant: an action on a resource at a time. Reports are the provider's
/// word, shown to the customer as such; a report is never updated or deleted, and each batch is also in the trail.
/// </summary>
public sealed class GrantActivity
{
    public const int ActionMaxLength = 100;
    public const int ClientNameMaxLength = 200;

    private GrantActivity()
    {
        ClientId = "";
        ClientName = "";
        Action = "";
        Resource = "";
    }

    public GrantActivity(Guid id, Guid requestId, Guid tenantId, Guid batchId, string clientId, string clientName, string action, string resource, DateTimeOffset occurredAt, DateTimeOffset reportedAt, int position)
    {
        Id = id;
        RequestId = requestId;
        TenantId = tenantId;
        BatchId = batchId;
        ClientId = clientId;
        ClientName = clientName;
        Action = action;
        Resource = resource;
        OccurredAt = occurredAt;
        ReportedAt = reportedAt;
        Position = position;
    }

    public Guid Id { get; private set; }

    /// <summary>The request whose grant the action was done under.</summary>
    public Guid RequestId { get; private set; }

    public Guid TenantId { get; private set; }

    /// <summary>The reports sent together, in one call and one audit entry.</summary>
    public Guid BatchId { get; private set; }

    /// <summary>The reporting service client, as the trail names it (<c>client:{token id}</c>).</summary>
    public string ClientId { get; private set; }

    public string ClientName { get; private set; }

    /// <summary>What was done, in the client's words (e.g. <c>mailbox.read</c>): 1 to 100 visible characters.</summary>
    public string Action { get; private set; }

    /// <summary>What it was done to: a scope the grant covers (see <see cref="AccessRequests.ResourceScope"/>).</summary>
    public string Resource { get; private set; }

    /// <summary>When the client says it happened: inside the grant's window, give or take <see cref="TransparencyService.ClockSkew"/>.</summary>
    public DateTimeOffset OccurredAt { get; private set; }

    public DateTimeOffset ReportedAt { get; private set; }

    /// <summary>Its place in its batch (0 first), so reports of the same moment read in the order the client sent them.</summary>
    public int Position { get; private set; }
}

/// <summary>
/// The access checks made under one grant in one minute, coalesced: how many were allowed and how many refused, with
/// the first and last of each. One row per grant and minute; every node adds what it counted (see
/// <see cref="CheckCounter"/>), so the row is the sum over nodes.
/// </summary>
public sealed class GrantCheckMinute
{
    private GrantCheckMinute()
    {
    }

    public GrantCheckMinute(Guid id, Guid requestId, Guid tenantId, DateTimeOffset minute)
    {
        Id = id;
        RequestId = requestId;
        TenantId = tenantId;
        Minute = minute;
    }

    public Guid Id { get; private set; }

    public Guid RequestId { get; private set; }

    public Guid TenantId { get; private set; }

    /// <summary>The minute's start (UTC, seconds zero).</summary>
    public DateTimeOffset Minute { get; private set; }

    public int Allowed { get; private set; }

    public DateTimeOffset? FirstAllowedAt { get; private set; }

    public DateTimeOffset? LastAllowedAt { get; private set; }

    public int Refused { get; private set; }

    public DateTimeOffset? FirstRefusedAt { get; private set; }

    public DateTimeOffset? LastRefusedAt { get; private set; }

    /// <summary>Two nodes adding to one row at once: the second runs again on the first's sums instead of overwriting them.</summary>
    public int Version { get; private set; }

    public void Add(CheckTally tally)
    {
        Allowed += tally.Allowed;
        Refused += tally.Refused;
        FirstAllowedAt = Earliest(FirstAllowedAt, tally.FirstAllowedAt);
        LastAllowedAt = Latest(LastAllowedAt, tally.LastAllowedAt);
        FirstRefusedAt = Earliest(FirstRefusedAt, tally.FirstRefusedAt);
        LastRefusedAt = Latest(LastRefusedAt, tally.LastRefusedAt);
        Version++;
    }

    public static DateTimeOffset MinuteOf(DateTimeOffset at)
    {
        var utc = at.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, utc.Minute, 0, TimeSpan.Zero);
    }

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;

    private static DateTimeOffset? Latest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;
}

/// <summary>Checks counted for one grant in one minute: allowed and refused, each with its first and last time.</summary>
public sealed record CheckTally(int Allowed, DateTimeOffset? FirstAllowedAt, DateTimeOffset? LastAllowedAt, int Refused, DateTimeOffset? FirstRefusedAt, DateTimeOffset? LastRefusedAt)
{
    public static CheckTally None { get; } = new(0, null, null, 0, null, null);

    public bool IsEmpty => Allowed == 0 && Refused == 0;

    public CheckTally With(bool allowed, DateTimeOffset at) => allowed
        ? this with { Allowed = Allowed + 1, FirstAllowedAt = FirstAllowedAt ?? at, LastAllowedAt = at }
        : this with { Refused = Refused + 1, FirstRefusedAt = FirstRefusedAt ?? at, LastRefusedAt = at };

    /// <summary>What this tally holds beyond <paramref name="flushed"/>, an earlier state of the same tally.</summary>
    public CheckTally Since(CheckTally flushed) => new(
        Allowed - flushed.Allowed, Allowed > flushed.Allowed ? FirstAllowedAt : null, Allowed > flushed.Allowed ? LastAllowedAt : null,
        Refused - flushed.Refused, Refused > flushed.Refused ? FirstRefusedAt : null, Refused > flushed.Refused ? LastRefusedAt : null);
}
