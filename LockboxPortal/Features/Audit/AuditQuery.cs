namespace LockboxPortal.Features.Audit;

/// <summary>
/// Which entries of one chain to show or export. <see cref="TenantId"/> null means the provider's chain.
/// Every filter is optional; <see cref="To"/> is exclusive.
/// </summary>
public sealed record AuditQuery(Guid? TenantId)
{
    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    public AuditEventType? EventType { get; init; }

    /// <summary>Part of the actor's (or on-behalf-of person's) display name, or their exact user id.</summary>
    public string? Actor { get; init; }

    /// <summary>A request reference such as <c>LBX-2026-000123</c>.</summary>
    public string? RequestReference { get; init; }

    public Guid ChainId => TenantId ?? AuditEntry.ProviderChain;

    public bool IsFiltered => From is not null || To is not null || EventType is not null
        || !string.IsNullOrWhiteSpace(Actor) || !string.IsNullOrWhiteSpace(RequestReference);
}

/// <summary>
/// A keyset page request, newest first: <see cref="Before"/> asks for entries older than that sequence number,
/// <see cref="After"/> for entries newer than it; neither asks for the newest page.
/// </summary>
public sealed record AuditPageRequest(long? Before = null, long? After = null, int Size = 50)
{
    public const int MaxSize = 500;
}

/// <summary>One page of entries, newest first.</summary>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Entries, bool HasOlder, bool HasNewer);

/// <summary>A chain a person may read, named for the UI and the command line.</summary>
public sealed record AuditChainInfo(Guid? TenantId, string Name, string ShortName)
{
    public const string ProviderShortName = "provider";

    public Guid ChainId => TenantId ?? AuditEntry.ProviderChain;

    /// <summary>How the chain is named in URLs: the tenant id, or <c>provider</c>.</summary>
    public string Key => TenantId?.ToString() ?? ProviderShortName;

    public static bool TryParseKey(string? key, out Guid? tenantId)
    {
        tenantId = null;
        if (string.Equals(key, ProviderShortName, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (Guid.TryParse(key, out var id) && id != AuditEntry.ProviderChain)
        {
            tenantId = id;
            return true;
        }

        return false;
    }
}
