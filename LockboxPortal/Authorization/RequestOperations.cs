using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Approvers;
using LockboxPortal.Features.Tenants;
using Microsoft.AspNetCore.Authorization.Infrastructure;

namespace LockboxPortal.Authorization;

/// <summary>The operations on an access request (and on the grant it opened) that the authorization pipeline decides.</summary>
public static class RequestOperations
{
    public static readonly OperationAuthorizationRequirement View = new() { Name = nameof(View) };
    public static readonly OperationAuthorizationRequirement DecideInternal = new() { Name = nameof(DecideInternal) };
    public static readonly OperationAuthorizationRequirement DecideCustomer = new() { Name = nameof(DecideCustomer) };
    public static readonly OperationAuthorizationRequirement Cancel = new() { Name = nameof(Cancel) };
    public static readonly OperationAuthorizationRequirement Revoke = new() { Name = nameof(Revoke) };
    public static readonly OperationAuthorizationRequirement Release = new() { Name = nameof(Release) };
    public static readonly OperationAuthorizationRequirement IssueGrantToken = new() { Name = nameof(IssueGrantToken) };

    /// <summary>Ask for more time on an active grant (an extension).</summary>
    public static readonly OperationAuthorizationRequirement Extend = new() { Name = nameof(Extend) };
    /// <summary>Ask the requesting engineer a question; see <see cref="RequestAuthorizationHandler.MayAsk"/>.</summary>
    public static readonly OperationAuthorizationRequirement AskQuestion = new() { Name = nameof(AskQuestion) };

    /// <summary>The requesting engineer answers a question about their request.</summary>
    public static readonly OperationAuthorizationRequirement AnswerQuestion = new() { Name = nameof(AnswerQuestion) };

    /// <summary>A security officer of the tenant reviews an emergency that was not ratified in time.</summary>
    public static readonly OperationAuthorizationRequirement ReviewEmergency = new() { Name = nameof(ReviewEmergency) };
}

/// <summary>The request, the person acting as storage knows them now, and their customer-stage authority.</summary>
public sealed record RequestResource(AccessRequest Request, ActingUser User, ApprovalAuthority Authority) : IGuardedResource
{
    public Guid? AuditChain => Request.TenantId;

    public string SubjectType => RequestGate.Subject;

    public string SubjectId => Request.Id.ToString();

    public string What => "request";
}

/// <summary>
/// Who may do what to a request (DESIGN.md "People and roles"). The state machine then decides whether the
/// request's state allows it; this handler only answers whether the person may try.
/// </summary>
/// <remarks>
/// Tenant roles are checked against the request's own tenant, never "any tenant": an MSP operator who
/// administers two tenants must not approve for one with the authority of the other.
/// </remarks>
public sealed class RequestAuthorizationHandler() : OperationHandler<RequestResource>(IsAllowed)
{
    public static bool IsAllowed(OperationAuthorizationRequirement operation, RequestResource resource)
    {
        var (request, user, authority) = resource;
        var isOwnEngineer = string.Equals(request.RequesterId, user.UserId, StringComparison.Ordinal)
            && user.Memberships.HasProviderRole(PortalRole.Engineer);

        return operation.Name switch
        {
            nameof(RequestOperations.View) or nameof(CommonOperations.See) =>
                RequestVisibility.Sees(RequestViewer.Of(user), request.RequesterId, request.TenantId),
            nameof(RequestOperations.DecideInternal) => user.Memberships.HasProviderRole(PortalRole.EngineeringManager),
            nameof(RequestOperations.DecideCustomer) => MayDecideIn(user, request.TenantId, authority),
            nameof(RequestOperations.Cancel) or nameof(RequestOperations.Release) or nameof(RequestOperations.IssueGrantToken)
                or nameof(RequestOperations.Extend) => isOwnEngineer,
            nameof(RequestOperations.Revoke) => MayRevokeIn(user, request.TenantId, authority),
            nameof(RequestOperations.AskQuestion) => MayAsk(user, request, authority),
            nameof(RequestOperations.AnswerQuestion) => isOwnEngineer,
            nameof(RequestOperations.ReviewEmergency) => MayReviewEmergencyIn(user, request),
            _ => throw new InvalidOperationException($"Unknown request operation '{operation.Name}'."),
        };
    }

    /// <summary>A TenantAdmin of the tenant with customer-stage authority there (on its approver list, or a delegate).</summary>
    public static bool MayDecideIn(ActingUser user, Guid tenantId, ApprovalAuthority authority) =>
        user.Memberships.HasTenantRole(tenantId, PortalRole.TenantAdmin) && authority.CanDecide;

    /// <summary>
    /// Who may ask the engineer a question: whoever may decide the stage the request is at (the provider's manager at
    /// the internal stage, the tenant's approvers and active delegates at the customer stage), never its requester.
    /// </summary>
    /// <remarks>
    /// A question is part of deciding, so it follows the decision's authority; a customer approver cannot question an
    /// engineer before the provider has let the request through, nor the manager once it awaits the customer. Once the
    /// request is closed, whoever could have decided it is let through to be told so by <see cref="RequestQuestion"/>.
    /// </remarks>
    public static bool MayAsk(ActingUser user, AccessRequest request, ApprovalAuthority authority)
    {
        var isManager = user.Memberships.HasProviderRole(PortalRole.EngineeringManager);
        var isDecider = MayDecideIn(user, request.TenantId, authority);
        return !string.Equals(request.RequesterId, user.UserId, StringComparison.Ordinal) && request.Status switch
        {
            RequestStatus.PendingInternal => isManager,
            RequestStatus.PendingCustomer => isDecider,
            _ => isManager || isDecider,
        };
    }

    /// <summary>
    /// Who reviews an unratified emergency: a security officer of its tenant, never its engineer. The officers own the
    /// tenant's policy, so they decide whether an engineer who went unratified may declare again.
    /// </summary>
    public static bool MayReviewEmergencyIn(ActingUser user, AccessRequest request) =>
        user.Memberships.HasTenantRole(request.TenantId, PortalRole.SecurityOfficer)
        && !string.Equals(request.RequesterId, user.UserId, StringComparison.Ordinal);

    /// <summary>Who may end a tenant's grants: whoever may decide there, and its security officers.</summary>
    public static bool MayRevokeIn(ActingUser user, Guid tenantId, ApprovalAuthority authority) =>
        MayDecideIn(user, tenantId, authority) || user.Memberships.HasTenantRole(tenantId, PortalRole.SecurityOfficer);
}

/// <summary>The operations on the requests (and grants) as a whole, not on one of them: filing a new one, the queues and lists.</summary>
public static class RequestCollectionOperations
{
    public static readonly OperationAuthorizationRequirement File = new() { Name = nameof(File) };

    /// <summary>Declare an emergency: open a grant at once, for the tenant's approvers to ratify afterwards.</summary>
    public static readonly OperationAuthorizationRequirement DeclareEmergency = new() { Name = nameof(DeclareEmergency) };
    public static readonly OperationAuthorizationRequirement ListFileableTenants = new() { Name = nameof(ListFileableTenants) };
    public static readonly OperationAuthorizationRequirement ListMine = new() { Name = nameof(ListMine) };
    public static readonly OperationAuthorizationRequirement ListVisible = new() { Name = nameof(ListVisible) };
    public static readonly OperationAuthorizationRequirement ListInternalQueue = new() { Name = nameof(ListInternalQueue) };
    public static readonly OperationAuthorizationRequirement ListCustomerQueue = new() { Name = nameof(ListCustomerQueue) };
    public static readonly OperationAuthorizationRequirement ListMyGrants = new() { Name = nameof(ListMyGrants) };
    public static readonly OperationAuthorizationRequirement ListTenantGrants = new() { Name = nameof(ListTenantGrants) };
}

/// <summary>
/// The requests as a whole, for the person acting; <see cref="TenantId"/> is the tenant filed for, when it exists, so a
/// refused filing is recorded in that tenant's trail and a guessed id never starts a chain of its own.
/// </summary>
public sealed record RequestCollectionResource(ActingUser User, Guid? TenantId = null) : IGuardedResource
{
    public Guid? AuditChain => TenantId;

    public string SubjectType => RequestGate.Subject;

    public string SubjectId => "";

    public string What => "request";
}

/// <summary>
/// Who may file, and whose queues and lists a person may open (DESIGN.md "People and roles"). Which rows a list then
/// holds is the row's own rule: <see cref="RequestVisibility"/>, or the customer-stage and revoke rules above.
/// </summary>
public sealed class RequestCollectionAuthorizationHandler() : OperationHandler<RequestCollectionResource>(IsAllowed)
{
    public static bool IsAllowed(OperationAuthorizationRequirement operation, RequestCollectionResource resource)
    {
        var memberships = resource.User.Memberships;
        return operation.Name switch
        {
            // The collection itself is no secret; a refusal here is "forbidden", never "not found".
            nameof(CommonOperations.See) => true,
            nameof(RequestCollectionOperations.File) or nameof(RequestCollectionOperations.DeclareEmergency) or nameof(RequestCollectionOperations.ListFileableTenants)
                or nameof(RequestCollectionOperations.ListMine) or nameof(RequestCollectionOperations.ListMyGrants) =>
                memberships.HasProviderRole(PortalRole.Engineer),

            // Filtered row by row by the View rule, so everyone may ask; someone who sees nothing gets an empty page.
            nameof(RequestCollectionOperations.ListVisible) => true,
            nameof(RequestCollectionOperations.ListInternalQueue) => memberships.HasProviderRole(PortalRole.EngineeringManager),

            // Any TenantAdmin: whether they may decide in a tenant can change at any moment (a delegation, the list).
            nameof(RequestCollectionOperations.ListCustomerQueue) => memberships.TenantsWithRole(PortalRole.TenantAdmin).Count > 0,
            nameof(RequestCollectionOperations.ListTenantGrants) =>
                memberships.TenantsWithRole(PortalRole.TenantAdmin).Count > 0 || memberships.TenantsWithRole(PortalRole.SecurityOfficer).Count > 0,
            _ => throw new InvalidOperationException($"Unknown request collection operation '{operation.Name}'."),
        };
    }
}
