using LockboxPortal.Authorization;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Tests.Tenants;

public sealed class TenantAdminServiceTests : IAsyncLifetime
{
    private ServiceHarness _harness = default!;

    public async Task InitializeAsync() => _harness = await ServiceHarness.CreateAsync();

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task Create_ByTheProviderAdmin_IsAudited_AndTheShortNameIsUniqueAcrossThePortal()
    {
        var entra = Guid.NewGuid();
        var tenant = await _harness.Tenants().CreateAsync(AdminHarness.ProviderAdmin, new TenantInput("Litware", "Litware", entra.ToString()));

        Assert.Equal("litware", tenant.ShortName);
        Assert.Equal(entra, tenant.EntraTenantId);
        var created = Assert.Single(await _harness.AuditAsync(tenant.Id));
        Assert.Equal(AuditEventType.Tenant_Created, created.EventType);
        Assert.Equal(Cast.Admin, created.ActorId);

        var duplicate = await Assert.ThrowsAsync<InvalidInputException>(() =>
            _harness.Tenants().CreateAsync(AdminHarness.ProviderAdmin, new TenantInput("Contoso again", "CONTOSO", entra.ToString())));
        Assert.Contains(nameof(Tenant.ShortName), duplicate.Errors.Keys);
        Assert.Contains(nameof(Tenant.EntraTenantId), duplicate.Errors.Keys);
    }

    [Fact]
    public async Task Create_WithBadInput_NamesEachField_AndWritesNothing()
    {
        var refused = await Assert.ThrowsAsync<InvalidInputException>(() =>
            _harness.Tenants().CreateAsync(AdminHarness.ProviderAdmin, new TenantInput(" ", "x", "not-a-guid")));

        Assert.Equal([nameof(Tenant.EntraTenantId), nameof(Tenant.Name), nameof(Tenant.ShortName)], refused.Errors.Keys.Order());
        await using var db = _harness.NewContext();
        Assert.Equal(2, await db.Tenants.CountAsync());
    }

    [Theory]
    [InlineData(Cast.ContosoOfficer)]
    [InlineData(Cast.Engineer)]
    [InlineData(Cast.Approver1)]
    public async Task Create_BySomeoneElse_IsRefused_AndAudited(string who)
    {
        await Assert.ThrowsAsync<ForbiddenException>(() => _harness.Tenants().CreateAsync(ServiceHarness.As(who), new TenantInput("Litware", "litware", null)));

        Assert.Contains(await _harness.AuditAsync(), e => e.EventType == AuditEventType.Operation_Refused && e.ActorId == who);
        Assert.Empty(await _harness.Tenants().ListAsync(ServiceHarness.As(who)));
    }

    [Fact]
    public async Task Rename_IsAudited_WithTheOldName()
    {
        await _harness.Tenants().RenameAsync(AdminHarness.ProviderAdmin, _harness.Contoso, "Contoso Ltd");

        var row = Assert.Single(await _harness.Tenants().ListAsync(AdminHarness.ProviderAdmin), t => t.Id == _harness.Contoso);
        Assert.Equal("Contoso Ltd", row.Name);
        var renamed = Assert.Single(await _harness.AuditAsync(_harness.Contoso));
        Assert.Equal(AuditEventType.Tenant_Renamed, renamed.EventType);
        Assert.Contains("\"previous\":\"Contoso\"", renamed.DetailsJson, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ForbiddenException>(() => _harness.Tenants().RenameAsync(ServiceHarness.ContosoOfficer, _harness.Contoso, "Mine"));
    }

    [Fact]
    public async Task Deactivate_ExpiresPendingRequests_EndsGrants_RevokesInvitations_AndKeepsTheHistory()
    {
        var pendingInternal = await _harness.Requests.FileAsync(ServiceHarness.Engineer, _harness.ValidInput());
        var pendingCustomer = await _harness.PendingCustomerAsync();
        var approved = await _harness.ApprovedAsync();
        var otherTenant = await _harness.ApprovedAsync(_harness.Northwind, "Sql:database/orders");
        var invitation = await _harness.Invitations().InviteAsync(ServiceHarness.ContosoOfficer, new InviteInput("late@contoso.test", "Late", _harness.Contoso, PortalRole.TenantAdmin));
        _harness.Time.Advance(TimeSpan.FromMinutes(5));

        await _harness.Tenants().DeactivateAsync(AdminHarness.ProviderAdmin, _harness.Contoso);

        await using var db = _harness.NewContext();
        var statuses = await db.AccessRequests.ToDictionaryAsync(r => r.Id, r => r.Status);
        Assert.Equal(RequestStatus.Expired, statuses[pendingInternal.Id]);
        Assert.Equal(RequestStatus.Expired, statuses[pendingCustomer.Id]);
        Assert.Equal(RequestStatus.Revoked, statuses[approved.Id]);
        Assert.Equal(RequestStatus.Approved, statuses[otherTenant.Id]);
        Assert.Equal(_harness.Time.GetUtcNow(), (await db.AccessRequests.SingleAsync(r => r.Id == approved.Id)).GrantEndsAt);
        Assert.False((await db.Tenants.SingleAsync(t => t.Id == _harness.Contoso)).IsActive);
        Assert.Equal(11, await db.Memberships.CountAsync());

        var audit = await _harness.AuditAsync();
        Assert.Contains(audit, e => e.EventType == AuditEventType.AccessRequest_Expired && e.SubjectId == pendingInternal.Id.ToString());
        Assert.Contains(audit, e => e.EventType == AuditEventType.AccessRequest_Expired && e.SubjectId == pendingCustomer.Id.ToString());
        Assert.Contains(audit, e => e.EventType == AuditEventType.Grant_Revoked && e.SubjectId == approved.Id.ToString());
        Assert.Contains(audit, e => e.EventType == AuditEventType.Invitation_Revoked && e.SubjectId == invitation.Id.ToString());
        Assert.Contains(audit, e => e.EventType == AuditEventType.Tenant_Deactivated && e.TenantId == _harness.Contoso);

        // Nothing new can start there: no filing, no invitation, no decision on what was pending.
        var filing = await Assert.ThrowsAsync<InvalidInputException>(() => _harness.Requests.FileAsync(ServiceHarness.Engineer, _harness.ValidInput()));
        Assert.Contains(nameof(AccessRequest.TenantId), filing.Errors.Keys);
        await Assert.ThrowsAsync<InvitationNotUsableException>(() =>
            _harness.Invitations().AcceptAsync(new AcceptInput(AdminHarness.TokenOf(invitation), "Late", AdminHarness.StrongPassword, AdminHarness.StrongPassword)));
        await Assert.ThrowsAsync<InvalidTransitionException>(() => _harness.Requests.DecideCustomerAsync(ServiceHarness.Approver2, pendingCustomer.Id, approve: true, "late"));
        await Assert.ThrowsAsync<TenantInactiveException>(() => _harness.Tenants().DeactivateAsync(AdminHarness.ProviderAdmin, _harness.Contoso));
    }

    [Fact]
    public async Task Deactivate_BySomeoneElse_IsRefused()
    {
        await Assert.ThrowsAsync<ForbiddenException>(() => _harness.Tenants().DeactivateAsync(ServiceHarness.ContosoOfficer, _harness.Contoso));

        await using var db = _harness.NewContext();
        Assert.True((await db.Tenants.SingleAsync(t => t.Id == _harness.Contoso)).IsActive);
    }
}
