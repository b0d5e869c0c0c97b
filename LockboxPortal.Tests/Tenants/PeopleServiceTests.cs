using LockboxPortal.Authorization;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Tests.Tenants;

public sealed class PeopleServiceTests : IAsyncLifetime
{
    private ServiceHarness _harness = default!;

    public async Task InitializeAsync() => _harness = await ServiceHarness.CreateAsync();

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task LastSecurityOfficer_CannotBeRemovedOrDeactivated()
    {
        var people = _harness.People();

        await Assert.ThrowsAsync<PeopleRuleException>(() => people.RemoveRoleAsync(ServiceHarness.ContosoOfficer, Cast.ContosoOfficer, _harness.Contoso, PortalRole.SecurityOfficer));
        await Assert.ThrowsAsync<PeopleRuleException>(() => people.RemoveFromTenantAsync(ServiceHarness.ContosoOfficer, Cast.ContosoOfficer, _harness.Contoso));
        await Assert.ThrowsAsync<PeopleRuleException>(() => people.DeactivateAsync(AdminHarness.ProviderAdmin, Cast.ContosoOfficer));

        // With a second officer, the first may go.
        await people.GrantRoleAsync(ServiceHarness.ContosoOfficer, Cast.Approver2, _harness.Contoso, PortalRole.SecurityOfficer);
        await people.RemoveRoleAsync(ServiceHarness.ContosoOfficer, Cast.ContosoOfficer, _harness.Contoso, PortalRole.SecurityOfficer);

        await Assert.ThrowsAsync<PeopleRuleException>(() => people.DeactivateAsync(AdminHarness.ProviderAdmin, Cast.Approver2));
        var events = (await _harness.AuditAsync()).Where(e => e.TenantId == _harness.Contoso).Select(e => e.EventType).ToList();
        Assert.Equal([AuditEventType.Membership_Granted, AuditEventType.Membership_Removed], events);
    }

    [Fact]
    public async Task LastProviderAdmin_CannotBeRemovedOrDeactivated()
    {
        var people = _harness.People();
        await Assert.ThrowsAsync<PeopleRuleException>(() => people.RemoveRoleAsync(AdminHarness.ProviderAdmin, Cast.Admin, null, PortalRole.ProviderAdmin));

        var second = await _harness.InviteAndAcceptAsync(AdminHarness.ProviderAdmin, "ada2@fabrikam.test", null, PortalRole.ProviderAdmin);
        var secondAdmin = ServiceHarness.As(second);
        await people.DeactivateAsync(secondAdmin, Cast.Admin);

        await Assert.ThrowsAsync<PeopleRuleException>(() => people.RemoveRoleAsync(secondAdmin, second, null, PortalRole.ProviderAdmin));
        await Assert.ThrowsAsync<PeopleRuleException>(() => people.DeactivateAsync(secondAdmin, second));
        await Assert.ThrowsAsync<ForbiddenException>(() => people.DeactivateAsync(AdminHarness.ProviderAdmin, second));
    }

    [Fact]
    public async Task DeactivatingAnApprover_RefusesTheirDecisionAtOnce_TakesThemOffTheList_AndKeepsTheirPastDecisions()
    {
        var decided = await _harness.ApprovedAsync();
        var pending = await _harness.PendingCustomerAsync(scope: "Exchange:mailbox/ben@contoso.com");
        string stampBefore;
        await using (var db = _harness.NewContext())
        {
            stampBefore = (await db.Users.SingleAsync(u => u.Id == Cast.Approver1)).SecurityStamp!;
        }

        await _harness.People().DeactivateAsync(ServiceHarness.ContosoOfficer, Cast.Approver1);

        var refused = await Assert.ThrowsAsync<ForbiddenException>(() => _harness.Requests.DecideCustomerAsync(ServiceHarness.Approver1, pending.Id, approve: true, "ok"));
        Assert.Contains("not active", refused.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ForbiddenException>(() => _harness.Requests.ListCustomerQueueAsync(ServiceHarness.Approver1));
        await using var check = _harness.NewContext();
        var user = await check.Users.SingleAsync(u => u.Id == Cast.Approver1);
        Assert.False(user.IsActive);
        Assert.NotEqual(stampBefore, user.SecurityStamp);
        Assert.False(await check.ApproverListEntries.AnyAsync(e => e.UserId == Cast.Approver1));
        Assert.True(await check.Memberships.AnyAsync(m => m.UserId == Cast.Approver1), "Memberships stay, so the person is still listed, as deactivated.");
        var pastDecision = (await check.AccessRequests.Include(r => r.Decisions).SingleAsync(r => r.Id == decided.Id)).Decisions.Single(d => d.Stage == DecisionStage.Customer);
        Assert.Equal(Cast.Approver1, pastDecision.DeciderId);
        Assert.Equal(RequestStatus.PendingCustomer, (await check.AccessRequests.SingleAsync(r => r.Id == pending.Id)).Status);
        var audit = await _harness.AuditAsync();
        Assert.Contains(audit, e => e.EventType == AuditEventType.User_Deactivated && e.SubjectId == Cast.Approver1 && e.TenantId == _harness.Contoso);
        Assert.Contains(audit, e => e.EventType == AuditEventType.Approvers_Removed && e.DetailsJson.Contains(Cast.Approver1));
        Assert.Contains(audit, e => e.EventType == AuditEventType.AccessRequest_CustomerApproved && e.ActorId == Cast.Approver1);

        // The list shows them as deactivated.
        var listed = Assert.Single(await _harness.People().ListAsync(ServiceHarness.ContosoOfficer, _harness.Contoso), p => p.UserId == Cast.Approver1);
        Assert.False(listed.IsActive);
        Assert.False(listed.OnApproverList);
    }

    [Fact]
    public async Task Officer_CannotDeactivateOrChangeRolesOfAnotherTenantsPeople_OrProviderStaff()
    {
        var people = _harness.People();

        await Assert.ThrowsAsync<ForbiddenException>(() => people.DeactivateAsync(ServiceHarness.ContosoOfficer, Cast.NorthwindApprover));
        await Assert.ThrowsAsync<ForbiddenException>(() => people.DeactivateAsync(ServiceHarness.ContosoOfficer, Cast.Engineer));
        await Assert.ThrowsAsync<ForbiddenException>(() => people.GrantRoleAsync(ServiceHarness.ContosoOfficer, Cast.NorthwindApprover, _harness.Northwind, PortalRole.SecurityOfficer));
        await Assert.ThrowsAsync<ForbiddenException>(() => people.RemoveFromTenantAsync(ServiceHarness.ContosoOfficer, Cast.NorthwindApprover, _harness.Northwind));
        Assert.Empty(await people.ListAsync(ServiceHarness.ContosoOfficer, _harness.Northwind));
        Assert.Empty(await people.ListAsync(ServiceHarness.ContosoOfficer, null));

        await using var db = _harness.NewContext();
        Assert.True((await db.Users.SingleAsync(u => u.Id == Cast.NorthwindApprover)).IsActive);
    }

    [Fact]
    public async Task TakingTheTenantAdminRole_TakesThePersonOffTheApproverList()
    {
        await _harness.People().RemoveRoleAsync(ServiceHarness.ContosoOfficer, Cast.Approver2, _harness.Contoso, PortalRole.TenantAdmin);

        await using var db = _harness.NewContext();
        Assert.False(await db.ApproverListEntries.AnyAsync(e => e.UserId == Cast.Approver2));
        Assert.False(await db.Memberships.AnyAsync(m => m.UserId == Cast.Approver2));
        Assert.Contains(await _harness.AuditAsync(), e => e.EventType == AuditEventType.Approvers_Removed && e.DetailsJson.Contains(Cast.Approver2));
    }

    [Fact]
    public async Task ListScopes_ShowsTheProviderAdminEverything_AndAnOfficerOnlyTheirTenants()
    {
        var admin = await _harness.People().ListScopesAsync(AdminHarness.ProviderAdmin);
        var officer = await _harness.People().ListScopesAsync(ServiceHarness.ContosoOfficer);

        Assert.Equal(3, admin.Count);
        Assert.Null(admin[0].TenantId);
        Assert.Equal([_harness.Contoso], officer.Select(s => s.TenantId!.Value));
    }
}
