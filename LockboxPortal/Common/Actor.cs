namespace LockboxPortal.Common;

/// <summary>The person acting, as recorded on decisions and in the audit trail.</summary>
public sealed record Actor(string UserId, string DisplayName)
{
    /// <summary>The lockbox itself, for transitions that happen because time passed.</summary>
    public static Actor System { get; } = new("system", "LockboxPortal");

    public bool IsSamePerson(Actor? other) => other is not null && string.Equals(UserId, other.UserId, StringComparison.Ordinal);
}
