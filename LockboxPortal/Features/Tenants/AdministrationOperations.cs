using LockboxPortal.Authorization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;

namespace LockboxPortal.Features.Tenants;

/// <summary>The administration operations (tenants, people, invitations) that the authorization pipeline decides.</summary>
public static class AdministrationOperations
{
    public static readonly OperationAuthorizationRequirement ManageTenants = new() { Name = nameof(ManageTenants) };
    public static readonly OperationAuthorizationRequirement ViewPeople = new() { Name = nameof(ViewPeople) };
    public static readonly OperationAuthorizationRequirement Invite = new() { Name = nameof(Invite) };
    public static readonly OperationAuthorizationRequirement ChangeRole = new() { Name = nameof(ChangeRole) };
    public static readonly OperationAuthorizationRequirement Deactivate = new() { Name = nameof(Deactivate) };
    public static readonly OperationAuthorizationRequirement ManageApprovers = new() { Name = nameof(ManageApprovers) };

    /// <summary>List the places (the provider, tenants) whose people this person may see at all.</summary>
    public static readonly OperationAuthorizationRequirement ListPeopleScopes = new() { Name = nameof(ListPeopleScopes) };
    public static readonly OperationAuthorizationRequirement RevokeInvitation = new() { Name = nameof(RevokeInvitation) };
}

/// <summary>
/// What an administration operation touches: the provider (<see cref="TenantId"/> null) or one tenant, the role
/// given or taken, and for deactivation the roles the target holds. Facts come from storage, read per operation.
/// </summary>
public sealed record AdministrationResource(
    ActingUser User,
    Guid? TenantId,
    PortalRole? Role = null,
    bool TenantHasActiveOfficer = true,
    MembershipSet? Target = null) : IGuardedResource
{
    public const string TenantSubject = "Tenant";
    public const string PersonSubject = "User";
    public const string InvitationSubject = "Invitation";

    public string SubjectType { get; init; } = TenantSubject;

    public string SubjectId { get; init; } = "";

    /// <summary>The existing invitation the operation is on, if any.</summary>
    public Invitation? Invitation { get; init; }

    public Guid? AuditChain => TenantId;

    public string What => Invitation is not null ? "invitation" : "tenant";
}

/// <summary>Who may administer what (DESIGN.md "People and roles").</summary>
/// <remarks>
/// The provider onboards a tenant and invites its first security officer, and nothing more inside it: from then on
/// the customer's own officers choose the tenant's admins and officers. Otherwise the provider, whose engineers
/// want access, could appoint the people who approve that access. Officers act only on their own tenant and
/// never hand out provider roles.
/// </remarks>
public sealed class AdministrationAuthorizationHandler() : OperationHandler<AdministrationResource>(IsAllowed)
{
    public static bool IsAllowed(OperationAuthorizationRequirement operation, AdministrationResource resource)
    {
        var (user, tenantId, role, tenantHasOfficer, target) = resource;
        var memberships = user.Memberships;
        var isProviderAdmin = memberships.HasProviderRole(PortalRole.ProviderAdmin);
        var isOfficerHere = tenantId is { } tenant && memberships.HasTenantRole(tenant, PortalRole.SecurityOfficer);
        var roleFitsScope = role is { } r && (tenantId is null ? r.IsProviderRole() : r.IsTenantRole());
        var mayViewPeople = isProviderAdmin || isOfficerHere;
        var mayInvite = roleFitsScope && (tenantId is null
            ? isProviderAdmin
            : isOfficerHere || (isProviderAdmin && role == PortalRole.SecurityOfficer && !tenantHasOfficer));

        return operation.Name switch
        {
            // Tenants and people are named across the portal (engineers pick tenants when filing), so a refusal says
            // "forbidden"; an invitation exists only for those who may list it.
            nameof(CommonOperations.See) => resource.Invitation is null || mayViewPeople,
            nameof(AdministrationOperations.ManageTenants) => isProviderAdmin,
            nameof(AdministrationOperations.ListPeopleScopes) => isProviderAdmin || memberships.TenantsWithRole(PortalRole.SecurityOfficer).Count > 0,
            nameof(AdministrationOperations.ViewPeople) => mayViewPeople,
            nameof(AdministrationOperations.Invite) => mayInvite,
            nameof(AdministrationOperations.RevokeInvitation) => resource.Invitation is { } invitation && mayViewPeople
                && (string.Equals(invitation.InvitedById, user.UserId, StringComparison.Ordinal) || mayInvite),
            nameof(AdministrationOperations.ChangeRole) => roleFitsScope && (tenantId is null ? isProviderAdmin : isOfficerHere),
            nameof(AdministrationOperations.Deactivate) => target is not null && (isProviderAdmin || IsOnlyInTenantsOf(user, target)),
            nameof(AdministrationOperations.ManageApprovers) => isOfficerHere,
            _ => throw new InvalidOperationException($"Unknown administration operation '{operation.Name}'."),
        };
    }

    /// <summary>An officer may deactivate someone whose every role is in a tenant where the officer is an officer.</summary>
    private static bool IsOnlyInTenantsOf(ActingUser officer, MembershipSet target)
    {
        var officerOf = officer.Memberships.TenantsWithRole(PortalRole.SecurityOfficer);
        return officerOf.Count > 0 && !target.IsProviderStaff && target.Tenants.Count > 0 && target.Tenants.All(officerOf.Contains);
    }
}
