using LockboxPortal.Authorization;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.AccessRequests.Live;
using LockboxPortal.Features.Approvers;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Tests.AccessRequests;

namespace LockboxPortal.Tests.AccessRequests.Live;

/// <summary>A live push must never tell anyone about a request they could not open.</summary>
public sealed class LiveAudienceTests
{
    public static TheoryData<string, PortalRole, bool> People() => new()
    {
        { "engineer", PortalRole.Engineer, false },
        { "engineer2", PortalRole.Engineer, false },
        { "manager", PortalRole.EngineeringManager, false },
        { "provider-admin", PortalRole.ProviderAdmin, false },
        { "contoso-admin", PortalRole.TenantAdmin, true },
        { "contoso-officer", PortalRole.SecurityOfficer, true },
        { "northwind-admin", PortalRole.TenantAdmin, false },
        { "northwind-officer", PortalRole.SecurityOfficer, false },
    };

    [Theory]
    [MemberData(nameof(People))]
    public void MaySee_AgreesWithTheViewOperation_ForEveryRoleAndTenant(string userId, PortalRole role, bool ofContoso)
    {
        Guid? tenant = role is PortalRole.TenantAdmin or PortalRole.SecurityOfficer
            ? ofContoso ? RequestBuilder.Contoso : RequestBuilder.Northwind
            : null;
        var user = new ActingUser(new Actor(userId, userId), new MembershipSet([new Membership(userId, tenant, role)]));
        var audience = LiveAudience.From(user);

        foreach (var status in Enum.GetValues<RequestStatus>())
        {
            foreach (var requestTenant in new[] { RequestBuilder.Contoso, RequestBuilder.Northwind })
            {
                var request = RequestBuilder.InState(status, tenant: requestTenant);
                var change = new RequestEvent(request.Id, request.Reference, request.TenantId, request.RequesterId, request.Status,
                    RequestEventKind.Filed, "someone", RequestBuilder.FiledAt);
                var mayView = RequestAuthorizationHandler.IsAllowed(RequestOperations.View, new RequestResource(request, user, ApprovalAuthority.None));

                Assert.Equal(mayView, audience.MaySee(change));
            }
        }
    }
}
