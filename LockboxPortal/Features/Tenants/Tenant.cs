using System.Text.RegularExpressions;

namespace LockboxPortal.Features.Tenants;

/// <summary>A customer of the provider, whose content the lockbox protects.</summary>
public sealed partial class Tenant
{
    public const int NameMaxLength = 200;
    public const int ShortNameMaxLength = 40;

    private Tenant()
    {
        Name = "";
        ShortName = "";
        Policy = TenantPolicy.Default;
    }

    public Tenant(Guid id, string name, string shortName, DateTimeOffset createdAt, Guid? entraTenantId = null)
    {
        Id = id;
        Name = name;
        ShortName = shortName;
        CreatedAt = createdAt;
        EntraTenantId = entraTenantId;
        IsActive = true;
        Policy = TenantPolicy.Default;
    }

    public Guid Id { get; private set; }

    public string Name { get; private set; }

    /// <summary>Unique across the portal; used on the command line and in references.</summary>
    public string ShortName { get; private set; }

    /// <summary>The customer's Microsoft Entra directory (its tenant id): sign-ins from it land in this tenant.</summary>
    public Guid? EntraTenantId { get; private set; }

    public bool IsActive { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset? DeactivatedAt { get; private set; }

    public TenantPolicy Policy { get; private set; }

    public void ChangePolicy(TenantPolicy policy) => Policy = policy;

    public void Rename(string name)
    {
        EnsureActive();
        Name = CleanName(name) ?? throw InvalidInputException.For(nameof(Name), NameRule);
    }

    /// <summary>Maps sign-ins from the customer's Entra directory to this tenant, or (null) stops mapping them.</summary>
    public void MapDirectory(Guid? entraTenantId)
    {
        EnsureActive();
        EntraTenantId = entraTenantId;
    }

    /// <summary>Deactivation is final here; the tenant's history (requests, audit trail, people) stays.</summary>
    public void Deactivate(DateTimeOffset now)
    {
        EnsureActive();
        IsActive = false;
        DeactivatedAt = now;
    }

    private void EnsureActive()
    {
        if (!IsActive)
        {
            throw new TenantInactiveException(Name);
        }
    }

    public const string NameRule = "Enter a display name of 1 to 200 printable characters (no invisible or direction-changing ones such as U+202E or U+200B).";
    public const string ShortNameRule = "Use 2 to 40 lower-case letters, digits and hyphens, starting with a letter.";

    /// <summary>The trimmed name, or null when it is empty, too long or holds control, bidi or invisible characters (<see cref="TextRules"/>).</summary>
    public static string? CleanName(string? name)
    {
        var trimmed = name?.Trim() ?? "";
        return trimmed.Length is > 0 and <= NameMaxLength && TextRules.FirstHiddenCharacter(trimmed) is null ? trimmed : null;
    }

    /// <summary>The short name in its stored (lower-case) form, or null when it breaks <see cref="ShortNameRule"/>.</summary>
    public static string? CleanShortName(string? shortName)
    {
        var lowered = shortName?.Trim().ToLowerInvariant() ?? "";
        return ShortNamePattern().IsMatch(lowered) ? lowered : null;
    }

    [GeneratedRegex("^[a-z][a-z0-9-]{1,39}$")]
    private static partial Regex ShortNamePattern();
}

/// <summary>The tenant was deactivated; nothing more can be changed on it.</summary>
public sealed class TenantInactiveException(string name)
    : LockboxRuleException($"The tenant {name} is deactivated.")
{
    public override string Code => "tenant-inactive";
}
