using System.Security.Claims;
using LockboxPortal.Authorization;
using LockboxPortal.Data;
using LockboxPortal.Features.Tenants;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.AccessRequests.Live;

/// <summary>
/// Whose request events a person may hear about, read from storage when a page or hub connection starts.
/// It mirrors <see cref="RequestAuthorizationHandler"/>'s View rule for the fields an event carries, so a
/// live push never tells anyone about a request they could not open (a test keeps the two in step).
/// </summary>
public sealed record LiveAudience(
    string UserId,
    bool IsEngineer,
    bool IsManager,
    IReadOnlySet<Guid> TenantAdminOf,
    IReadOnlySet<Guid> OfficerOf)
{
    public static LiveAudience From(ActingUser user) => new(
        user.UserId,
        user.Memberships.HasProviderRole(PortalRole.Engineer),
        user.Memberships.HasProviderRole(PortalRole.EngineeringManager),
        user.Memberships.TenantsWithRole(PortalRole.TenantAdmin).ToHashSet(),
        user.Memberships.TenantsWithRole(PortalRole.SecurityOfficer).ToHashSet());

    public static async Task<LiveAudience> LoadAsync(LockboxDbContext db, ClaimsPrincipal principal, CancellationToken cancellationToken) =>
        From(await ActingUser.LoadAsync(db, principal, cancellationToken));

    /// <summary>May this person see the request the event is about? Same answer as the View operation.</summary>
    public bool MaySee(RequestEvent change) =>
        (IsEngineer && string.Equals(change.RequesterId, UserId, StringComparison.Ordinal))
        || IsManager
        || TenantAdminOf.Contains(change.TenantId)
        || OfficerOf.Contains(change.TenantId);

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
