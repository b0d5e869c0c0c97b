using LockboxPortal.Authorization;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Approvers;
using LockboxPortal.Features.Tenants;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using static LockboxPortal.Tests.AccessRequests.RequestBuilder;
using LockboxPortal.Tests.Infrastructure;

namespace LockboxPortal.Tests.AccessRequests;

/// <summary>
/// Role x tenant x operation for <see cref="RequestAuthorizationHandler"/> (DESIGN.md "People and roles").
/// Every cell of the matrix is a test, the allowed ones as well as the forbidden ones, so over-denying fails too.
/// </summary>
[Trait(TestPasses.Category, TestPasses.SqliteOnly)]
public class RequestAuthorizationMatrixTests
{
    private const string View = nameof(RequestOperations.View);
    private const string DecideInternal = nameof(RequestOperations.DecideInternal);
    private const string DecideCustomer = nameof(RequestOperations.DecideCustomer);
    private const string Cancel = nameof(RequestOperations.Cancel);
    private const string Revoke = nameof(RequestOperations.Revoke);
    private const string Release = nameof(RequestOperations.Release);
    private const string Extend = nameof(RequestOperations.Extend);
    private const string ReviewEmergency = nameof(RequestOperations.ReviewEmergency);

    private static readonly string[] Operations = [View, DecideInternal, DecideCustomer, Cancel, Revoke, Release, Extend, ReviewEmergency];

    /// <summary>A person: their roles, the tenants whose approver list they are on, and the tenants where someone delegated to them.</summary>
    private sealed record Person(string Id, (Guid? Tenant, PortalRole Role)[] Roles, Guid[] OnApproverListOf, Guid[] DelegateIn);

    private static readonly Person[] People =
    [
        new("engineer", [(null, PortalRole.Engineer)], [], []), // the requester of every request here
        new("engineer2", [(null, PortalRole.Engineer)], [], []),
        new("manager", [(null, PortalRole.EngineeringManager)], [], []),
        new("provider-admin", [(null, PortalRole.ProviderAdmin)], [], []),
        new("contoso-approver", [(Contoso, PortalRole.TenantAdmin)], [Contoso], []),
        new("contoso-admin", [(Contoso, PortalRole.TenantAdmin)], [], []),
        new("contoso-delegate", [(Contoso, PortalRole.TenantAdmin)], [], [Contoso]),
        new("contoso-officer", [(Contoso, PortalRole.SecurityOfficer)], [], []),
        new("northwind-approver", [(Northwind, PortalRole.TenantAdmin)], [Northwind], []),
        new("northwind-officer", [(Northwind, PortalRole.SecurityOfficer)], [], []),
        // A TenantAdmin of both tenants, on Contoso's approver list only.
        new("two-tenant-admin", [(Contoso, PortalRole.TenantAdmin), (Northwind, PortalRole.TenantAdmin)], [Contoso], []),

        // The MSP operator: a TenantAdmin of both tenants, on both approver lists.
        new(Infrastructure.Cast.Operator, [(Contoso, PortalRole.TenantAdmin), (Northwind, PortalRole.TenantAdmin)], [Contoso, Northwind], []),
    ];

    /// <summary>
    /// The expected matrix, written out by hand from DESIGN.md. A (person, tenant of the request) pair not listed
    /// may do nothing; an operation not listed for a pair is forbidden.
    /// </summary>
    private static readonly IReadOnlyDictionary<(string Person, string Tenant), string[]> Expected = new Dictionary<(string Person, string Tenant), string[]>
    {
        [("engineer", "Contoso")] = [View, Cancel, Release, Extend],
        [("engineer", "Northwind")] = [View, Cancel, Release, Extend],
        [("manager", "Contoso")] = [View, DecideInternal],
        [("manager", "Northwind")] = [View, DecideInternal],
        [("contoso-approver", "Contoso")] = [View, DecideCustomer, Revoke],
        [("contoso-admin", "Contoso")] = [View],
        [("contoso-delegate", "Contoso")] = [View, DecideCustomer, Revoke],
        [("contoso-officer", "Contoso")] = [View, Revoke, ReviewEmergency],
        [("northwind-approver", "Northwind")] = [View, DecideCustomer, Revoke],
        [("northwind-officer", "Northwind")] = [View, Revoke, ReviewEmergency],
        [("two-tenant-admin", "Contoso")] = [View, DecideCustomer, Revoke],
        [("two-tenant-admin", "Northwind")] = [View],
        [(Infrastructure.Cast.Operator, "Contoso")] = [View, DecideCustomer, Revoke],
        [(Infrastructure.Cast.Operator, "Northwind")] = [View, DecideCustomer, Revoke],
    };

    public static TheoryData<string, string, string, bool> Matrix()
    {
        var data = new TheoryData<string, string, string, bool>();
        foreach (var person in People)
        {
            foreach (var tenant in new[] { "Contoso", "Northwind" })
            {
                var allowed = Expected.GetValueOrDefault((person.Id, tenant), []);
                foreach (var operation in Operations)
                {
                    data.Add(person.Id, tenant, operation, allowed.Contains(operation));
                }
            }
        }

        return data;
    }

    [Fact]
    public void Matrix_HasAllowedAndForbiddenRowsForEveryOperation()
    {
        var rows = Matrix().Select(r => (Operation: (string)r[2], Allowed: (bool)r[3])).ToList();

        Assert.Equal(People.Length * 2 * Operations.Length, rows.Count);
        foreach (var operation in Operations)
        {
            Assert.Contains((operation, true), rows);
            Assert.Contains((operation, false), rows);
        }
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public void IsAllowed_MatchesTheMatrix(string person, string tenant, string operation, bool expected)
    {
        var resource = Resource(person, tenant == "Contoso" ? Contoso : Northwind);

        Assert.Equal(expected, RequestAuthorizationHandler.IsAllowed(Operation(operation), resource));
    }

    [Fact]
    public void DecideCustomer_WithApproverListAuthorityButTheRoleInAnotherTenant_IsRefused()
    {
        // Defence in depth: even if an authority were computed for the wrong tenant, the role must be held
        // on the request's own tenant.
        var request = Filed(tenant: Northwind);
        var user = User("contoso-approver", [(Contoso, PortalRole.TenantAdmin)]);
        var resource = new RequestResource(request, user, new ApprovalAuthority(true, [ApproverA]));

        Assert.False(RequestAuthorizationHandler.IsAllowed(RequestOperations.DecideCustomer, resource));
        Assert.False(RequestAuthorizationHandler.IsAllowed(RequestOperations.Revoke, resource));
        Assert.False(RequestAuthorizationHandler.IsAllowed(RequestOperations.View, resource));
    }

    [Fact]
    public void Requester_WhoNoLongerHoldsTheEngineerRole_MayNotViewCancelOrRelease()
    {
        var request = Filed();
        var resource = new RequestResource(request, User(Requester.UserId, []), ApprovalAuthority.None);

        Assert.False(RequestAuthorizationHandler.IsAllowed(RequestOperations.View, resource));
        Assert.False(RequestAuthorizationHandler.IsAllowed(RequestOperations.Cancel, resource));
        Assert.False(RequestAuthorizationHandler.IsAllowed(RequestOperations.Release, resource));
    }

    [Fact]
    public void UnknownOperation_Throws()
    {
        var resource = Resource("manager", Contoso);
        var unknown = new OperationAuthorizationRequirement { Name = "Approve" };

        Assert.Throws<InvalidOperationException>(() => RequestAuthorizationHandler.IsAllowed(unknown, resource));
    }

    [Theory]
    [InlineData("contoso-approver", DecideCustomer, true)]
    [InlineData("contoso-officer", DecideCustomer, false)]
    [InlineData("engineer", Cancel, true)]
    [InlineData("engineer2", Cancel, false)]
    public async Task Handler_SucceedsOnlyWhenAllowed(string person, string operation, bool expected)
    {
        var resource = Resource(person, Contoso);
        var requirement = Operation(operation);
        var context = new AuthorizationHandlerContext([requirement], Infrastructure.ServiceHarness.As(person), resource);

        await new RequestAuthorizationHandler().HandleAsync(context);

        Assert.Equal(expected, context.HasSucceeded);
    }

    private static OperationAuthorizationRequirement Operation(string name) => name switch
    {
        View => RequestOperations.View,
        DecideInternal => RequestOperations.DecideInternal,
        DecideCustomer => RequestOperations.DecideCustomer,
        Cancel => RequestOperations.Cancel,
        Revoke => RequestOperations.Revoke,
        Release => RequestOperations.Release,
        Extend => RequestOperations.Extend,
        ReviewEmergency => RequestOperations.ReviewEmergency,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    /// <summary>The request of <c>engineer</c> in <paramref name="tenant"/>, with the person's authority computed for that tenant.</summary>
    private static RequestResource Resource(string personId, Guid tenant)
    {
        var person = People.Single(p => p.Id == personId);
        var user = User(person.Id, person.Roles);

        // As the service computes it: customer-stage authority exists only for a TenantAdmin of the request's tenant.
        var authority = user.Memberships.HasTenantRole(tenant, PortalRole.TenantAdmin)
            ? new ApprovalAuthority(person.OnApproverListOf.Contains(tenant), person.DelegateIn.Contains(tenant) ? [ApproverA] : [])
            : ApprovalAuthority.None;
        return new RequestResource(Filed(tenant: tenant), user, authority);
    }

    private static ActingUser User(string id, (Guid? Tenant, PortalRole Role)[] roles) =>
        new(new Actor(id, id), new MembershipSet(roles.Select(r => new Membership(id, r.Tenant, r.Role))));
}
