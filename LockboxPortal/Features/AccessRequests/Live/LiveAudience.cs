using System.Security.Claims;
using LockboxPortal.Authorization;
using LockboxPortal.Data;

namespace LockboxPortal.Features.AccessRequests.Live;

/// <summary>
/// Whose request events a person may hear about, read from storage when a page or hub connection starts.
/// <see cref="MaySee"/> is <see cref="RequestVisibility"/>'s rule, the one the View operation and the lists use, applied
/// to the fields an event carries, so a live push never tells anyone about a request they could not open.
/// </summary>
public sealed record LiveAudience(RequestViewer Viewer)
{
    public string UserId => Viewer.UserId;

    public bool IsEngineer => Viewer.IsEngineer;

    public bool IsManager => Viewer.IsManager;

    public IReadOnlySet<Guid> TenantAdminOf { get; } = Viewer.TenantAdminOf.ToHashSet();

    public IReadOnlySet<Guid> OfficerOf { get; } = Viewer.OfficerOf.ToHashSet();

    public static LiveAudience From(ActingUser user) => new(RequestViewer.Of(user));

    public static async Task<LiveAudience> LoadAsync(LockboxDbContext db, ClaimsPrincipal principal, CancellationToken cancellationToken) =>
        From(await ActingUser.LoadAsync(db, principal, cancellationToken));

    /// <summary>May this person see the request the event is about? Same answer as the View operation.</summary>
    public bool MaySee(RequestEvent change) => RequestVisibility.Sees(Viewer, change.RequesterId, change.TenantId);

    /// <summary>
    /// Could the event change this person's customer-stage queue? Any tenant where they are a TenantAdmin counts,
    /// a superset of where they may decide, so an approver added to a list (or given a delegation) is not missed.
    /// </summary>
    public bool MayConcernCustomerQueue(RequestEvent change) =>
        TenantAdminOf.Contains(change.TenantId) && !string.Equals(change.RequesterId, UserId, StringComparison.Ordinal);

    /// <summary>Could the event change this person's internal queue? Managers never decide their own requests.</summary>
    public bool MayConcernInternalQueue(RequestEvent change) =>
        IsManager && !string.Equals(change.RequesterId, UserId, StringComparison.Ordinal);
}
