using LockboxPortal.Features.Tenants;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LockboxPortal.Features.AccessRequests;

/// <summary>
/// One scope a tenant's security officers allow to be requested, with the highest access level and the longest
/// duration for it. A pattern is a scope (<c>Exchange:mailbox/ana@contoso.com</c>: that resource and what lies
/// beneath it, as a grant covers) or a scope ending in <c>/*</c> (<c>Exchange:mailbox/*</c>: only what lies beneath),
/// or a workload with <c>:*</c> (<c>Sql:*</c>: anything in it). It applies only while the policy's
/// <see cref="TenantPolicy.RequireCatalogue"/> is on.
/// </summary>
public sealed class ScopeCatalogueEntry
{
    public const int PatternMaxLength = ResourceScope.MaxLength + 2;

    private ScopeCatalogueEntry()
    {
        Pattern = "";
    }

    public ScopeCatalogueEntry(Guid tenantId, string pattern, AccessLevel maxAccessLevel, TimeSpan maxDuration, DateTimeOffset addedAt)
    {
        Id = Guid.NewGuid();
        TenantId = tenantId;
        Pattern = pattern;
        MaxAccessLevel = maxAccessLevel;
        MaxDuration = maxDuration;
        AddedAt = addedAt;
    }

    public Guid Id { get; private set; }

    public Guid TenantId { get; private set; }

    public string Pattern { get; private set; }

    public AccessLevel MaxAccessLevel { get; private set; }

    public TimeSpan MaxDuration { get; private set; }

    public DateTimeOffset AddedAt { get; private set; }

    /// <summary>Whether a request for <paramref name="scope"/> falls under this entry's pattern.</summary>
    public bool Matches(ResourceScope scope) => ScopeCatalogue.Matches(Pattern, scope);

    /// <summary>Whether this entry allows <paramref name="level"/> for <paramref name="duration"/>.</summary>
    public bool Allows(AccessLevel level, TimeSpan duration) =>
        (MaxAccessLevel == AccessLevel.ReadWrite || level == AccessLevel.Read) && duration <= MaxDuration;
}

/// <summary>Patterns of the scope catalogue, and the check a filing passes while the tenant has it on.</summary>
public static class ScopeCatalogue
{
    public const string PatternRule =
        "Write a scope (Exchange:mailbox/ana@contoso.com), a scope ending in /* for what lies beneath it (Exchange:mailbox/*), or a workload with :* (Sql:*).";

    /// <summary>The pattern as stored, or an error: the scope part must parse as strictly as a requested scope.</summary>
    public static (string? Pattern, string? Error) Clean(string? text)
    {
        var trimmed = text?.Trim() ?? "";
        if (trimmed.EndsWith(":*", StringComparison.Ordinal))
        {
            // A workload alone: parse it with a placeholder resource, so the workload obeys the same rule.
            return ResourceScope.TryParse(trimmed[..^1] + "x", out _, out _) ? (trimmed, null) : (null, PatternRule);
        }

        var scopePart = trimmed.EndsWith("/*", StringComparison.Ordinal) ? trimmed[..^2] : trimmed;
        if (!ResourceScope.TryParse(scopePart, out var scope, out var error))
        {
            return (null, scopePart.Length == 0 || scopePart.Contains('*') ? PatternRule : error);
        }

        return (trimmed.EndsWith("/*", StringComparison.Ordinal) ? scope + "/*" : scope.ToString(), null);
    }

    public static bool Matches(string pattern, ResourceScope scope)
    {
        if (pattern.EndsWith(":*", StringComparison.Ordinal))
        {
            return string.Equals(pattern[..^2], scope.Workload, StringComparison.Ordinal);
        }

        if (pattern.EndsWith("/*", StringComparison.Ordinal))
        {
            return scope.ToString().StartsWith(pattern[..^1], StringComparison.Ordinal);
        }

        return ResourceScope.TryParse(pattern, out var entry, out _) && entry.Covers(scope);
    }

    /// <summary>
    /// The problems of a filing against <paramref name="entries"/>, keyed by field; empty when an entry allows it.
    /// When entries match the scope but none allows the level and duration asked, the message says what they allow.
    /// </summary>
    public static Dictionary<string, string[]> Problems(
        IReadOnlyList<ScopeCatalogueEntry> entries, ResourceScope scope, AccessLevel level, TimeSpan duration)
    {
        var matching = entries.Where(e => e.Matches(scope)).ToList();
        if (matching.Any(e => e.Allows(level, duration)))
        {
            return [];
        }

        if (matching.Count == 0)
        {
            var listed = string.Join(", ", entries.Select(e => e.Pattern).Order(StringComparer.Ordinal));
            return new() { [nameof(AccessRequest.Scope)] = [$"This tenant accepts requests only for scopes in its catalogue: {listed}."] };
        }

        var errors = new Dictionary<string, string[]>();
        if (level == AccessLevel.ReadWrite && matching.All(e => e.MaxAccessLevel == AccessLevel.Read))
        {
            errors[nameof(AccessRequest.AccessLevel)] = ["The catalogue allows only read access to this scope."];
        }

        var longest = Longest(matching, scope, level);
        if (longest > TimeSpan.Zero && duration > longest)
        {
            errors[nameof(AccessRequest.RequestedDuration)] = [$"The catalogue allows at most {Durations.Format(longest)} for this scope."];
        }

        return errors;
    }

    /// <summary>
    /// The longest grant the entries allow on <paramref name="scope"/> at <paramref name="level"/>; zero when none does.
    /// An extension counts it over the whole grant, so more time never takes a grant past what a filing could ask.
    /// </summary>
    public static TimeSpan Longest(IEnumerable<ScopeCatalogueEntry> entries, ResourceScope scope, AccessLevel level) =>
        entries.Where(e => e.Matches(scope) && e.Allows(level, TimeSpan.Zero)).Select(e => e.MaxDuration).DefaultIfEmpty().Max();
}

internal sealed class ScopeCatalogueEntryConfiguration : IEntityTypeConfiguration<ScopeCatalogueEntry>
{
    public void Configure(EntityTypeBuilder<ScopeCatalogueEntry> entry)
    {
        entry.ToTable("ScopeCatalogueEntries");
        entry.Property(e => e.Pattern).HasMaxLength(ScopeCatalogueEntry.PatternMaxLength);
        entry.HasIndex(e => new { e.TenantId, e.Pattern }).IsUnique();
        entry.HasOne<Tenant>().WithMany().HasForeignKey(e => e.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}
