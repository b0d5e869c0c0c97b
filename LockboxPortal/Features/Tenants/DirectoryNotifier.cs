namespace LockboxPortal.Features.Tenants;

/// <summary>A person's roles, memberships or account changed; whatever they hold open should be checked again.</summary>
public sealed record DirectoryChange(string UserId, DateTimeOffset At);

/// <summary>
/// Changes in the directory (roles, memberships, deactivation), so that open hub connections re-read their audience
/// at once instead of keeping what the person could see when they connected. Services publish after their
/// transaction commits.
/// </summary>
public sealed class DirectoryNotifier(IEventTransport transport) : Notifier<DirectoryChange>(transport);
