using LockboxPortal.Authorization;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Tenants;
using Microsoft.AspNetCore.Authorization.Infrastructure;

namespace LockboxPortal.Tests.Audit;

/// <summary>Role x chain x operation, with the allowed rows as well as the refused ones.</summary>
public sealed class AuditAuthorizationMatrixTests
{
    private static readonly Guid Contoso = Guid.NewGuid();
    private static readonly Guid Northwind = Guid.NewGuid();

    public static TheoryData<PortalRole, string, string, bool> Matrix()
    {
        var data = new TheoryData<PortalRole, string, string, bool>();
        (PortalRole Role, string Chain, bool Allowed)[] rows =
        [
            (PortalRole.SecurityOfficer, "own tenant", true),
            (PortalRole.SecurityOfficer, "other tenant", false),
            (PortalRole.SecurityOfficer, "provider", false),
            (PortalRole.TenantAdmin, "own tenant", false),
            (PortalRole.TenantAdmin, "other tenant", false),
            (PortalRole.TenantAdmin, "provider", false),
            (PortalRole.ProviderAdmin, "own tenant", false),
            (PortalRole.ProviderAdmin, "provider", true),
            (PortalRole.Engineer, "own tenant", false),
            (PortalRole.Engineer, "provider", false),
            (PortalRole.EngineeringManager, "own tenant", false),
            (PortalRole.EngineeringManager, "provider", false),
        ];
        foreach (var (role, chain, allowed) in rows)
        {
            foreach (var operation in new[] { "Read", "Export", "Verify" })
            {
                data.Add(role, chain, operation, allowed);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public void AuditOperation_IsAllowedOnlyForTheChainsOwner(PortalRole role, string chain, string operation, bool allowed)
    {
        var membership = new Membership("someone", role.IsTenantRole() ? Contoso : null, role);
        var user = new ActingUser(new Actor("someone", "Someone"), new MembershipSet([membership]));
        Guid? tenantId = chain switch { "own tenant" => Contoso, "other tenant" => Northwind, _ => null };
        var requirement = operation switch
        {
            "Read" => AuditOperations.Read,
            "Export" => AuditOperations.Export,
            _ => AuditOperations.Verify,
        };

        Assert.Equal(allowed, AuditAuthorizationHandler.IsAllowed(requirement, new AuditChainResource(tenantId, user)));
    }

    [Fact]
    public void UnknownOperation_Throws()
    {
        var user = new ActingUser(new Actor("someone", "Someone"), MembershipSet.Empty);

        Assert.Throws<InvalidOperationException>(() =>
            AuditAuthorizationHandler.IsAllowed(new OperationAuthorizationRequirement { Name = "Rewrite" }, new AuditChainResource(null, user)));
    }
}
