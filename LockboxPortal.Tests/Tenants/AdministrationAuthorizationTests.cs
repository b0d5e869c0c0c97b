using LockboxPortal.Authorization;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Tenants;
using Microsoft.AspNetCore.Authorization.Infrastructure;

namespace LockboxPortal.Tests.Tenants;

/// <summary>Role x tenant x operation, with allowed rows as well as forbidden ones, so over-denying fails too.</summary>
public sealed class AdministrationAuthorizationTests
{
    private static readonly Guid A = Guid.Parse("aaaaaaaa-0000-4000-8000-000000000001");
    private static readonly Guid B = Guid.Parse("bbbbbbbb-0000-4000-8000-000000000002");

    public enum Who
    {
        ProviderAdmin,
        Engineer,
        Manager,
        OfficerOfA,
        AdminOfA,
    }

    private static ActingUser UserOf(Who who) => new(new Actor(who.ToString(), who.ToString()), new MembershipSet(who switch
    {
        Who.ProviderAdmin => [new Membership("u", null, PortalRole.ProviderAdmin)],
        Who.Engineer => [new Membership("u", null, PortalRole.Engineer)],
        Who.Manager => [new Membership("u", null, PortalRole.EngineeringManager)],
        Who.OfficerOfA => [new Membership("u", A, PortalRole.SecurityOfficer)],
        Who.AdminOfA => [new Membership("u", A, PortalRole.TenantAdmin)],
        _ => throw new ArgumentOutOfRangeException(nameof(who)),
    }));

    private static OperationAuthorizationRequirement Op(string name) => name switch
    {
        nameof(AdministrationOperations.ManageTenants) => AdministrationOperations.ManageTenants,
        nameof(AdministrationOperations.ViewPeople) => AdministrationOperations.ViewPeople,
        nameof(AdministrationOperations.Invite) => AdministrationOperations.Invite,
        nameof(AdministrationOperations.ChangeRole) => AdministrationOperations.ChangeRole,
        nameof(AdministrationOperations.ManageApprovers) => AdministrationOperations.ManageApprovers,
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    /// <summary>tenant: "A", "B" or "" for the provider; hasOfficer: whether the tenant already has an active officer.</summary>
    [Theory]
    [InlineData(Who.ProviderAdmin, "ManageTenants", "", null, true, true)]
    [InlineData(Who.Engineer, "ManageTenants", "", null, true, false)]
    [InlineData(Who.OfficerOfA, "ManageTenants", "A", null, true, false)]
    [InlineData(Who.ProviderAdmin, "ViewPeople", "", null, true, true)]
    [InlineData(Who.ProviderAdmin, "ViewPeople", "A", null, true, true)]
    [InlineData(Who.OfficerOfA, "ViewPeople", "A", null, true, true)]
    [InlineData(Who.OfficerOfA, "ViewPeople", "B", null, true, false)]
    [InlineData(Who.OfficerOfA, "ViewPeople", "", null, true, false)]
    [InlineData(Who.AdminOfA, "ViewPeople", "A", null, true, false)]
    [InlineData(Who.Manager, "ViewPeople", "", null, true, false)]
    // Invitations: the provider admin invites provider staff and a tenant's first officer; officers invite their own tenant's people.
    [InlineData(Who.ProviderAdmin, "Invite", "", PortalRole.Engineer, true, true)]
    [InlineData(Who.ProviderAdmin, "Invite", "", PortalRole.EngineeringManager, true, true)]
    [InlineData(Who.ProviderAdmin, "Invite", "", PortalRole.ProviderAdmin, true, true)]
    [InlineData(Who.ProviderAdmin, "Invite", "A", PortalRole.SecurityOfficer, false, true)]
    [InlineData(Who.ProviderAdmin, "Invite", "A", PortalRole.SecurityOfficer, true, false)]
    [InlineData(Who.ProviderAdmin, "Invite", "A", PortalRole.TenantAdmin, false, false)]
    [InlineData(Who.ProviderAdmin, "Invite", "", PortalRole.TenantAdmin, true, false)]
    [InlineData(Who.OfficerOfA, "Invite", "A", PortalRole.TenantAdmin, true, true)]
    [InlineData(Who.OfficerOfA, "Invite", "A", PortalRole.SecurityOfficer, true, true)]
    [InlineData(Who.OfficerOfA, "Invite", "B", PortalRole.TenantAdmin, true, false)]
    [InlineData(Who.OfficerOfA, "Invite", "B", PortalRole.SecurityOfficer, false, false)]
    [InlineData(Who.OfficerOfA, "Invite", "", PortalRole.Engineer, true, false)]
    [InlineData(Who.OfficerOfA, "Invite", "", PortalRole.ProviderAdmin, true, false)]
    [InlineData(Who.OfficerOfA, "Invite", "A", PortalRole.ProviderAdmin, true, false)]
    [InlineData(Who.AdminOfA, "Invite", "A", PortalRole.TenantAdmin, true, false)]
    [InlineData(Who.Engineer, "Invite", "", PortalRole.Engineer, true, false)]
    // Roles of existing members.
    [InlineData(Who.ProviderAdmin, "ChangeRole", "", PortalRole.EngineeringManager, true, true)]
    [InlineData(Who.ProviderAdmin, "ChangeRole", "A", PortalRole.TenantAdmin, true, false)]
    [InlineData(Who.OfficerOfA, "ChangeRole", "A", PortalRole.TenantAdmin, true, true)]
    [InlineData(Who.OfficerOfA, "ChangeRole", "A", PortalRole.SecurityOfficer, true, true)]
    [InlineData(Who.OfficerOfA, "ChangeRole", "B", PortalRole.TenantAdmin, true, false)]
    [InlineData(Who.OfficerOfA, "ChangeRole", "", PortalRole.Engineer, true, false)]
    [InlineData(Who.OfficerOfA, "ChangeRole", "A", PortalRole.Engineer, true, false)]
    [InlineData(Who.Manager, "ChangeRole", "", PortalRole.Engineer, true, false)]
    [InlineData(Who.OfficerOfA, "ManageApprovers", "A", null, true, true)]
    [InlineData(Who.OfficerOfA, "ManageApprovers", "B", null, true, false)]
    [InlineData(Who.AdminOfA, "ManageApprovers", "A", null, true, false)]
    [InlineData(Who.ProviderAdmin, "ManageApprovers", "A", null, true, false)]
    public void Operation_IsAllowedOnlyToTheRightRoleInTheRightPlace(Who who, string operation, string tenant, PortalRole? role, bool hasOfficer, bool allowed)
    {
        Guid? tenantId = tenant switch { "A" => A, "B" => B, _ => null };
        var resource = new AdministrationResource(UserOf(who), tenantId, role, hasOfficer);

        Assert.Equal(allowed, AdministrationAuthorizationHandler.IsAllowed(Op(operation), resource));
    }

    [Theory]
    [InlineData(Who.ProviderAdmin, "adminOfA", true)]
    [InlineData(Who.ProviderAdmin, "engineer", true)]
    [InlineData(Who.OfficerOfA, "adminOfA", true)]
    [InlineData(Who.OfficerOfA, "adminOfAandB", false)]
    [InlineData(Who.OfficerOfA, "adminOfB", false)]
    [InlineData(Who.OfficerOfA, "engineer", false)]
    [InlineData(Who.AdminOfA, "adminOfA", false)]
    [InlineData(Who.Engineer, "adminOfA", false)]
    public void Deactivate_IsForTheProviderAdmin_OrAnOfficerOfEveryTenantTheTargetBelongsTo(Who who, string target, bool allowed)
    {
        MembershipSet targetRoles = new(target switch
        {
            "adminOfA" => [new Membership("t", A, PortalRole.TenantAdmin)],
            "adminOfB" => [new Membership("t", B, PortalRole.TenantAdmin)],
            "adminOfAandB" => [new Membership("t", A, PortalRole.TenantAdmin), new Membership("t", B, PortalRole.TenantAdmin)],
            _ => [new Membership("t", null, PortalRole.Engineer)],
        });
        var resource = new AdministrationResource(UserOf(who), null, Target: targetRoles);

        Assert.Equal(allowed, AdministrationAuthorizationHandler.IsAllowed(AdministrationOperations.Deactivate, resource));
    }

    [Fact]
    public void UnknownOperation_Throws() =>
        Assert.Throws<InvalidOperationException>(() => AdministrationAuthorizationHandler.IsAllowed(
            new OperationAuthorizationRequirement { Name = "Teleport" }, new AdministrationResource(UserOf(Who.ProviderAdmin), null)));
}
