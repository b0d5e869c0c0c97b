using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Tenants;

namespace LockboxPortal.Tests.AccessRequests;

/// <summary>
/// Builds requests in any state by driving the entity's public methods, on a fixed timeline:
/// filed at <see cref="FiledAt"/>, decided internally at <see cref="InternalAt"/>, approved by the customer at
/// <see cref="GrantStart"/>, with a pending deadline at <see cref="Deadline"/> and a grant ending at <see cref="GrantEnd"/>.
/// </summary>
public static class RequestBuilder
{
    public static readonly DateTimeOffset FiledAt = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    public static readonly TimeSpan PendingLifetime = TimeSpan.FromHours(12);
    public static readonly TimeSpan GrantDuration = TimeSpan.FromHours(4);
    public static readonly DateTimeOffset Deadline = FiledAt + PendingLifetime;
    public static readonly DateTimeOffset InternalAt = FiledAt.AddMinutes(10);
    public static readonly DateTimeOffset GrantStart = FiledAt.AddMinutes(20);
    public static readonly DateTimeOffset GrantEnd = GrantStart + GrantDuration;

    /// <summary>The tenant's escalation delay; a pending request escalates at <see cref="EscalatesAt"/>, before <see cref="GrantStart"/> ends.</summary>
    public static readonly TimeSpan EscalateAfter = TimeSpan.FromMinutes(10);
    public static readonly DateTimeOffset EscalatesAt = InternalAt + EscalateAfter;

    public static readonly Guid Contoso = new("11111111-1111-1111-1111-111111111111");
    public static readonly Guid Northwind = new("22222222-2222-2222-2222-222222222222");

    public static readonly Actor Requester = new("engineer", "Erin Engineer");
    public static readonly Actor OtherEngineer = new("engineer2", "Eli Engineer");
    public static readonly Actor Manager = new("manager", "Mona Manager");
    public static readonly Actor ApproverA = new("approver-a", "Ana Approver");
    public static readonly Actor ApproverB = new("approver-b", "Ben Approver");
    public static readonly Actor ApproverC = new("approver-c", "Cat Approver");
    public static readonly Actor Officer = new("officer", "Olga Officer");

    public const string DefaultScope = "Exchange:mailbox/ana@contoso.com";

    public static AccessRequest Filed(
        string scope = DefaultScope, AccessLevel level = AccessLevel.Read, Guid? tenant = null, Actor? requester = null) =>
        AccessRequest.File(
            Guid.NewGuid(), "LBX-2026-000001", tenant ?? Contoso, requester ?? Requester, ResourceScope.Parse(scope), level,
            "Customer reports missing calendar items.", "SR-1", GrantDuration,
            TenantPolicy.Default with { PendingLifetime = PendingLifetime }, FiledAt, reason: RequestReason.CustomerSupport);

    public static AccessRequest PendingCustomer(int requiredApprovals = 1, string scope = DefaultScope, AccessLevel level = AccessLevel.Read, Guid? tenant = null)
    {
        var request = Filed(scope, level, tenant);
        request.ApproveInternal(Manager, "ok", requiredApprovals, InternalAt, EscalateAfter);
        return request;
    }

    public static AccessRequest Approved(string scope = DefaultScope, AccessLevel level = AccessLevel.Read, Guid? tenant = null)
    {
        var request = PendingCustomer(1, scope, level, tenant);
        request.ApproveCustomer(ApproverA, null, "go ahead", GrantStart);
        return request;
    }

    /// <summary>An extension of the running <paramref name="grant"/> for an hour more, approved by the manager and one approver (not yet applied to the grant).</summary>
    public static AccessRequest ApprovedExtensionOf(AccessRequest grant)
    {
        var at = grant.GrantStartsAt!.Value.AddMinutes(1);
        var extension = grant.FileExtension(Guid.NewGuid(), "LBX-2026-009999", Requester, TimeSpan.FromHours(1), "The repair needs another hour.", Features.Tenants.TenantPolicy.Default, at);
        extension.ApproveInternal(Manager, null, 1, at);
        extension.ApproveCustomer(ApproverA, null, "ok", at);
        return extension;
    }

    /// <summary>A request in <paramref name="status"/>, reached through the transitions DESIGN.md draws.</summary>
    public static AccessRequest InState(RequestStatus status, string scope = DefaultScope, AccessLevel level = AccessLevel.Read, Guid? tenant = null)
    {
        AccessRequest request;
        switch (status)
        {
            case RequestStatus.PendingInternal:
                request = Filed(scope, level, tenant);
                break;
            case RequestStatus.PendingCustomer:
                request = PendingCustomer(1, scope, level, tenant);
                break;
            case RequestStatus.Approved:
                request = Approved(scope, level, tenant);
                break;
            case RequestStatus.Denied:
                request = Filed(scope, level, tenant);
                request.DenyInternal(Manager, "Not covered by the support contract.", InternalAt);
                break;
            case RequestStatus.Rejected:
                request = PendingCustomer(1, scope, level, tenant);
                request.RejectCustomer(ApproverA, null, "Not during the audit.", GrantStart);
                break;
            case RequestStatus.Cancelled:
                request = Filed(scope, level, tenant);
                request.Cancel(Requester, InternalAt);
                break;
            case RequestStatus.Expired:
                request = PendingCustomer(1, scope, level, tenant);
                request.Expire(Deadline);
                break;
            case RequestStatus.Completed:
                request = Approved(scope, level, tenant);
                request.Complete(GrantEnd);
                break;
            case RequestStatus.Revoked:
                request = Approved(scope, level, tenant);
                request.Revoke(Officer, "Incident closed.", GrantStart.AddMinutes(30));
                break;
            case RequestStatus.Extended:
                request = ApprovedExtensionOf(Approved(scope, level, tenant));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(status), status, null);
        }

        Assert.Equal(status, request.Status);
        return request;
    }
}
