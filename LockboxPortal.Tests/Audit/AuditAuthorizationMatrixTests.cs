using LockboxPortal.Authorization;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Tenants;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using LockboxPortal.Tests.Infrastructure;

namespace LockboxPortal.Tests.Audit;

/// <summary>Role x chain x operation, with the allowed rows as well as the refused ones.</summary>
[Trait(TestPasses.Category, TestPasses.SqliteOnly)]
public sealed class AuditAuthorizationMatrixTests
{
    private static readonly Guid Contoso = Guid.NewGuid();
    private static readonly Guid Northwind = Guid.NewGuid();

    /// <summary>Not a role but a person: the MSP operator, a TenantAdmin of both tenants (so "other tenant" is theirs too).</summary>
    private const string Operator = "operator";

    public static TheoryData<string, string, string, bool> Matrix()
    {
        var data = new TheoryData<string, string, string, bool>();
        (string Person, string Chain, bool Allowed)[] rows =
        [
            (nameof(PortalRole.SecurityOfficer), "own tenant", true),
            (nameof(PortalRole.SecurityOfficer), "other tenant", false),
            (nameof(PortalRole.SecurityOfficer), "provider", false),
            (nameof(PortalRole.TenantAdmin), "own tenant", false),
            (nameof(PortalRole.TenantAdmin), "other tenant", false),
            (nameof(PortalRole.TenantAdmin), "provider", false),
            (nameof(PortalRole.ProviderAdmin), "own tenant", false),
            (nameof(PortalRole.ProviderAdmin), "provider", true),
            (nameof(PortalRole.Engineer), "own tenant", false),
            (nameof(PortalRole.Engineer), "provider", false),
            (nameof(PortalRole.EngineeringManager), "own tenant", false),
            (nameof(PortalRole.EngineeringManager), "provider", false),
            (Operator, "own tenant", false),
            (Operator, "other tenant", false),
            (Operator, "provider", false),
        ];
        foreach (var (person, chain, allowed) in rows)
        {
            foreach (var operation in new[] { "Read", "Export", "Verify" })
            {
                data.Add(person, chain, operation, allowed);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public void AuditOperation_IsAllowedOnlyForTheChainsOwner(string person, string chain, string operation, bool allowed)
    {
        var role = person == Operator ? PortalRole.TenantAdmin : Enum.Parse<PortalRole>(person);
        Membership[] memberships = person == Operator
            ? [new("someone", Contoso, role), new("someone", Northwind, role)]
            : [new("someone", role.IsTenantRole() ? Contoso : null, role)];
        var user = new ActingUser(new Actor("someone", "Someone"), new MembershipSet(memberships));
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
