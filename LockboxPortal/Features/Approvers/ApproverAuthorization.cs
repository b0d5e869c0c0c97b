using LockboxPortal.Authorization;
using LockboxPortal.Features.Tenants;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;

namespace LockboxPortal.Features.Approvers;

/// <summary>The operations on approver lists, policies and delegations that the authorization pipeline decides.</summary>
public static class ApproverOperations
{
    public static readonly OperationAuthorizationRequirement ListOfficerTenants = new() { Name = nameof(ListOfficerTenants) };
    public static readonly OperationAuthorizationRequirement ViewApprovers = new() { Name = nameof(ViewApprovers) };
    public static readonly OperationAuthorizationRequirement AddApprover = new() { Name = nameof(AddApprover) };
    public static readonly OperationAuthorizationRequirement RemoveApprover = new() { Name = nameof(RemoveApprover) };
    public static readonly OperationAuthorizationRequirement ChangePolicy = new() { Name = nameof(ChangePolicy) };
    public static readonly OperationAuthorizationRequirement ListDelegationOptions = new() { Name = nameof(ListDelegationOptions) };
    public static readonly OperationAuthorizationRequirement ListDelegations = new() { Name = nameof(ListDelegations) };

    /// <summary>May this one delegation appear in the person's list?</summary>
    public static readonly OperationAuthorizationRequirement ViewDelegation = new() { Name = nameof(ViewDelegation) };
    public static readonly OperationAuthorizationRequirement CreateDelegation = new() { Name = nameof(CreateDelegation) };
    public static readonly OperationAuthorizationRequirement RevokeDelegation = new() { Name = nameof(RevokeDelegation) };

    /// <summary>Approve or reject a change another officer proposed under the two-person rule.</summary>
    public static readonly OperationAuthorizationRequirement DecidePolicyChange = new() { Name = nameof(DecidePolicyChange) };

    /// <summary>Withdraw one's own proposed change.</summary>
    public static readonly OperationAuthorizationRequirement WithdrawPolicyChange = new() { Name = nameof(WithdrawPolicyChange) };
}

/// <summary>
/// What an approver operation is about: one tenant's list or policy, a new or an existing delegation, or (tenant
/// null) the lists that span every tenant the person belongs to. Facts come from storage, read per operation.
/// </summary>
/// <param name="TenantFound">The tenant exists (for a new delegation: and is active); a refusal is recorded in its chain only then.</param>
public sealed record ApproverResource(ActingUser User, string SubjectType, string SubjectId, Guid? TenantId, bool TenantFound, string What)
    : IGuardedResource
{
    public const string ListSubject = "ApproverList";
    public const string PolicySubject = "TenantPolicy";
    public const string DelegationSubject = "Delegation";
    public const string PolicyChangeSubject = "PolicyChange";

    /// <summary>Whose authority a new delegation lends (the person acting, or someone an officer acts for).</summary>
    public string? DelegatorId { get; init; }

    public Delegation? Delegation { get; init; }

    public PolicyChange? PolicyChange { get; init; }

    public Guid? AuditChain => TenantFound ? TenantId : null;

    /// <summary>A list that spans the person's tenants (the tenants they configure, their delegations).</summary>
    public static ApproverResource AcrossTenants(ActingUser user, string subjectType) => new(user, subjectType, "", null, false, "tenant");

    public static ApproverResource ApproverList(ActingUser user, Guid tenantId, bool tenantFound) =>
        new(user, ListSubject, tenantId.ToString(), tenantId, tenantFound, "tenant");

    public static ApproverResource Policy(ActingUser user, Guid tenantId, bool tenantFound) =>
        new(user, PolicySubject, tenantId.ToString(), tenantId, tenantFound, "tenant");

    public static ApproverResource NewDelegation(ActingUser user, Guid tenantId, bool tenantActive, string delegatorId) =>
        new(user, DelegationSubject, tenantId.ToString(), tenantId, tenantActive, "tenant") { DelegatorId = delegatorId };

    /// <summary>A proposed change, or a guessed id (<paramref name="change"/> null) that nobody may see.</summary>
    public static ApproverResource OfPolicyChange(ActingUser user, Guid changeId, PolicyChange? change) =>
        new(user, PolicyChangeSubject, changeId.ToString(), change?.TenantId ?? Guid.Empty, change is not null, "policy change") { PolicyChange = change };

    /// <summary>An existing delegation, or a guessed id (<paramref name="delegation"/> null) that nobody may see.</summary>
    public static ApproverResource OfDelegation(ActingUser user, Guid delegationId, Delegation? delegation) =>
        new(user, DelegationSubject, delegationId.ToString(), delegation?.TenantId, delegation is not null, "delegation") { Delegation = delegation };
}

/// <summary>Who may shape a tenant's approvers (DESIGN.md rules 3, 4 and 11).</summary>
/// <remarks>
/// Only the tenant's own security officers configure its approver list and policy: nobody on the provider's side,
/// whose engineers want the access, may choose who approves it. An approver lends their own authority; an officer
/// may lend an approver's on their behalf. Either side of a delegation, or an officer, may see and end it.
/// Roles are checked against the tenant of the list or delegation, never "any tenant". Under the two-person rule a
/// change an officer proposes is decided by another officer of the same tenant (<see cref="PolicyChange"/>): an
/// approver who is not an officer, or an officer elsewhere, decides nothing.
/// </remarks>
public sealed class ApproverAuthorizationHandler() : OperationHandler<ApproverResource>(IsAllowed)
{
    public static bool IsAllowed(OperationAuthorizationRequirement operation, ApproverResource resource)
    {
        var user = resource.User;
        var memberships = user.Memberships;
        var tenant = resource.TenantId;

        // Someone outside the tenant learns nothing about its list, policy or delegations.
        var maySee = tenant is not { } id || (resource.TenantFound && memberships.IsMemberOf(id));
        var isOfficer = tenant is { } t1 && memberships.HasTenantRole(t1, PortalRole.SecurityOfficer);
        var isTenantAdmin = tenant is { } t2 && memberships.HasTenantRole(t2, PortalRole.TenantAdmin);
        var isOfficerSomewhere = memberships.TenantsWithRole(PortalRole.SecurityOfficer).Count > 0;
        var isTenantStaffSomewhere = isOfficerSomewhere || memberships.TenantsWithRole(PortalRole.TenantAdmin).Count > 0;
        var isDelegationParty = resource.Delegation?.Involves(user.UserId) == true;

        return operation.Name switch
        {
            nameof(CommonOperations.See) => maySee,
            nameof(ApproverOperations.ListOfficerTenants) => isOfficerSomewhere,
            nameof(ApproverOperations.ViewApprovers) or nameof(ApproverOperations.AddApprover)
                or nameof(ApproverOperations.RemoveApprover) or nameof(ApproverOperations.ChangePolicy) => maySee && isOfficer,
            nameof(ApproverOperations.ListDelegationOptions) or nameof(ApproverOperations.ListDelegations) => isTenantStaffSomewhere,
            nameof(ApproverOperations.CreateDelegation) =>
                maySee && (isOfficer || (isTenantAdmin && string.Equals(resource.DelegatorId, user.UserId, StringComparison.Ordinal))),
            nameof(ApproverOperations.ViewDelegation) or nameof(ApproverOperations.RevokeDelegation) =>
                maySee && resource.Delegation is not null && (isDelegationParty || isOfficer),

            // Only the tenant's officers decide or withdraw; that the proposer decides nothing is the change's own rule.
            nameof(ApproverOperations.DecidePolicyChange) or nameof(ApproverOperations.WithdrawPolicyChange) =>
                maySee && resource.PolicyChange is not null && isOfficer,
            _ => throw new InvalidOperationException($"Unknown approver operation '{operation.Name}'."),
        };
    }
}
