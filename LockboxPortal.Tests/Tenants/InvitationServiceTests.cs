using LockboxPortal.Authorization;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Tenants;

public sealed class InvitationServiceTests : IAsyncLifetime
{
    private ServiceHarness _harness = default!;

    public async Task InitializeAsync() => _harness = await ServiceHarness.CreateAsync();

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    private async Task<Guid> NewTenantAsync(string shortName = "litware") =>
        (await _harness.Tenants().CreateAsync(AdminHarness.ProviderAdmin, new TenantInput("Litware", shortName, null))).Id;

    [Fact]
    public async Task ProviderAdmin_InvitesANewTenantsFirstOfficer_WhoSetsTheirPasswordAndHoldsTheRole()
    {
        var tenant = await NewTenantAsync();

        var invitation = await _harness.Invitations().InviteAsync(AdminHarness.ProviderAdmin,
            new InviteInput("olga@litware.test", "Olga Officer", tenant, PortalRole.SecurityOfficer));
        var email = await _harness.Invitations().AcceptAsync(new AcceptInput(AdminHarness.TokenOf(invitation), "Olga O.", AdminHarness.StrongPassword, AdminHarness.StrongPassword));

        Assert.Equal("olga@litware.test", email);
        Assert.StartsWith("/invitations/accept?token=", invitation.Link, StringComparison.Ordinal);
        await using var db = _harness.NewContext();
        var user = await db.Users.SingleAsync(u => u.Email == email);
        Assert.Equal("Olga O.", user.DisplayName);
        Assert.True(user.LockoutEnabled);
        var hasher = _harness.Services.GetRequiredService<IPasswordHasher<PortalUser>>();
        Assert.NotEqual(PasswordVerificationResult.Failed, hasher.VerifyHashedPassword(user, user.PasswordHash!, AdminHarness.StrongPassword));
        Assert.True(await db.Memberships.AnyAsync(m => m.UserId == user.Id && m.TenantId == tenant && m.Role == PortalRole.SecurityOfficer));
        var stored = await db.Invitations.SingleAsync();
        Assert.Equal(SecretToken.Hash(AdminHarness.TokenOf(invitation)), stored.TokenHash);
        var events = (await _harness.AuditAsync()).Where(e => e.TenantId == tenant).Select(e => e.EventType).ToList();
        Assert.Equal([AuditEventType.Tenant_Created, AuditEventType.Invitation_Created, AuditEventType.Invitation_Accepted, AuditEventType.Membership_Granted], events);
        var listed = Assert.Single(await _harness.Invitations().ListAsync(AdminHarness.ProviderAdmin, tenant));
        Assert.Equal(InvitationStatus.Accepted, listed.Status);
    }

    [Fact]
    public async Task Accept_AnExpiredInvitation_IsRefused()
    {
        var invitation = await _harness.Invitations().InviteAsync(ServiceHarness.ContosoOfficer, new InviteInput("late@contoso.test", "Late", _harness.Contoso, PortalRole.TenantAdmin));
        _harness.Time.Advance(TimeSpan.FromHours(72));

        var refused = await Assert.ThrowsAsync<InvitationNotUsableException>(() =>
            _harness.Invitations().AcceptAsync(new AcceptInput(AdminHarness.TokenOf(invitation), "Late", AdminHarness.StrongPassword, AdminHarness.StrongPassword)));

        Assert.Equal(InvitationStatus.Expired, refused.Status);
        await AssertNoAccountAsync("late@contoso.test");
        Assert.Equal(InvitationStatus.Expired, Assert.Single(await _harness.Invitations().ListAsync(ServiceHarness.ContosoOfficer, _harness.Contoso)).Status);
    }

    [Fact]
    public async Task Accept_ARevokedInvitation_IsRefused()
    {
        var invitation = await _harness.Invitations().InviteAsync(ServiceHarness.ContosoOfficer, new InviteInput("gone@contoso.test", "Gone", _harness.Contoso, PortalRole.TenantAdmin));
        await _harness.Invitations().RevokeAsync(ServiceHarness.ContosoOfficer, invitation.Id);

        var refused = await Assert.ThrowsAsync<InvitationNotUsableException>(() =>
            _harness.Invitations().AcceptAsync(new AcceptInput(AdminHarness.TokenOf(invitation), "Gone", AdminHarness.StrongPassword, AdminHarness.StrongPassword)));

        Assert.Equal(InvitationStatus.Revoked, refused.Status);
        await AssertNoAccountAsync("gone@contoso.test");
        Assert.Contains(await _harness.AuditAsync(invitation.Id), e => e.EventType == AuditEventType.Invitation_Revoked);
    }

    [Fact]
    public async Task Accept_TheSameInvitationTwice_IsRefusedTheSecondTime()
    {
        var invitation = await _harness.Invitations().InviteAsync(ServiceHarness.ContosoOfficer, new InviteInput("twice@contoso.test", "Twice", _harness.Contoso, PortalRole.TenantAdmin));
        var token = AdminHarness.TokenOf(invitation);
        await _harness.Invitations().AcceptAsync(new AcceptInput(token, "Twice", AdminHarness.StrongPassword, AdminHarness.StrongPassword));

        var refused = await Assert.ThrowsAsync<InvitationNotUsableException>(() =>
            _harness.Invitations().AcceptAsync(new AcceptInput(token, "Someone else", "another-long-password-1", "another-long-password-1")));

        Assert.Equal(InvitationStatus.Accepted, refused.Status);
        await using var db = _harness.NewContext();
        Assert.Equal("Twice", (await db.Users.SingleAsync(u => u.Email == "twice@contoso.test")).DisplayName);
    }

    [Fact]
    public async Task Accept_WithAWrongOrUnknownToken_IsRefused()
    {
        await _harness.Invitations().InviteAsync(ServiceHarness.ContosoOfficer, new InviteInput("x@contoso.test", "X", _harness.Contoso, PortalRole.TenantAdmin));

        await Assert.ThrowsAsync<InvitationNotUsableException>(() => _harness.Invitations().PreviewAsync("not-a-token"));
        await Assert.ThrowsAsync<InvitationNotUsableException>(() => _harness.Invitations().AcceptAsync(new AcceptInput(null, "X", AdminHarness.StrongPassword, AdminHarness.StrongPassword)));
    }

    [Fact]
    public async Task Accept_WithAWeakPassword_IsRefused_AndWritesNothing()
    {
        var invitation = await _harness.Invitations().InviteAsync(ServiceHarness.ContosoOfficer, new InviteInput("weak@contoso.test", "Weak", _harness.Contoso, PortalRole.TenantAdmin));

        var refused = await Assert.ThrowsAsync<InvalidInputException>(() =>
            _harness.Invitations().AcceptAsync(new AcceptInput(AdminHarness.TokenOf(invitation), "Weak", "short1", "short1")));

        Assert.Contains(AccountRules.PasswordField, refused.Errors.Keys);
        await AssertNoAccountAsync("weak@contoso.test");
        Assert.Equal("weak@contoso.test", (await _harness.Invitations().PreviewAsync(AdminHarness.TokenOf(invitation))).Email);
    }

    [Fact]
    public async Task Officer_CannotInviteIntoAnotherTenant_AndTheAttemptIsAudited()
    {
        await Assert.ThrowsAsync<ForbiddenException>(() => _harness.Invitations().InviteAsync(ServiceHarness.ContosoOfficer,
            new InviteInput("spy@northwind.test", "Spy", _harness.Northwind, PortalRole.TenantAdmin)));
        await Assert.ThrowsAsync<ForbiddenException>(() => _harness.Invitations().InviteAsync(ServiceHarness.ContosoOfficer,
            new InviteInput("spy@northwind.test", "Spy", _harness.Northwind, PortalRole.SecurityOfficer)));

        await using var db = _harness.NewContext();
        Assert.False(await db.Invitations.AnyAsync());
        Assert.Equal(2, (await _harness.AuditAsync()).Count(e => e.EventType == AuditEventType.Operation_Refused && e.ActorId == Cast.ContosoOfficer && e.TenantId == _harness.Northwind));
    }

    [Theory]
    [InlineData(PortalRole.Engineer, false)]
    [InlineData(PortalRole.EngineeringManager, false)]
    [InlineData(PortalRole.ProviderAdmin, false)]
    [InlineData(PortalRole.ProviderAdmin, true)]
    public async Task Officer_CannotGrantProviderRoles(PortalRole role, bool onOwnTenant)
    {
        await Assert.ThrowsAsync<ForbiddenException>(() => _harness.Invitations().InviteAsync(ServiceHarness.ContosoOfficer,
            new InviteInput("mole@contoso.test", "Mole", onOwnTenant ? _harness.Contoso : null, role)));
        await Assert.ThrowsAsync<ForbiddenException>(() => _harness.People().GrantRoleAsync(ServiceHarness.ContosoOfficer, Cast.Approver1, null, role));

        await using var db = _harness.NewContext();
        Assert.False(await db.Invitations.AnyAsync());
        Assert.False(await db.Memberships.AnyAsync(m => m.UserId == Cast.Approver1 && m.TenantId == null));
    }

    [Fact]
    public async Task ProviderAdmin_CannotChooseATenantsAdmins_OnceItHasAnOfficer()
    {
        await Assert.ThrowsAsync<ForbiddenException>(() => _harness.Invitations().InviteAsync(AdminHarness.ProviderAdmin,
            new InviteInput("second@contoso.test", "Second", _harness.Contoso, PortalRole.SecurityOfficer)));
        await Assert.ThrowsAsync<ForbiddenException>(() => _harness.Invitations().InviteAsync(AdminHarness.ProviderAdmin,
            new InviteInput("admin@contoso.test", "Admin", _harness.Contoso, PortalRole.TenantAdmin)));
    }

    [Fact]
    public async Task Officer_InvitesATenantAdmin_OfTheirOwnTenant()
    {
        var userId = await _harness.InviteAndAcceptAsync(ServiceHarness.ContosoOfficer, "tara@contoso.test", _harness.Contoso, PortalRole.TenantAdmin);

        var people = await _harness.People().ListAsync(ServiceHarness.ContosoOfficer, _harness.Contoso);
        var tara = Assert.Single(people, p => p.UserId == userId);
        Assert.Equal([PortalRole.TenantAdmin], tara.Roles);
        Assert.False(tara.OnApproverList);
    }

    [Fact]
    public async Task Invite_WithBadInput_NamesEachField_AndWritesNothing()
    {
        var refused = await Assert.ThrowsAsync<InvalidInputException>(() => _harness.Invitations().InviteAsync(ServiceHarness.ContosoOfficer,
            new InviteInput("not an email", "  ", _harness.Contoso, PortalRole.TenantAdmin)));

        Assert.Contains(nameof(InviteInput.Email), refused.Errors.Keys);
        Assert.Contains(nameof(InviteInput.DisplayName), refused.Errors.Keys);
        await using var db = _harness.NewContext();
        Assert.False(await db.Invitations.AnyAsync());
    }

    private async Task AssertNoAccountAsync(string email)
    {
        await using var db = _harness.NewContext();
        Assert.False(await db.Users.AnyAsync(u => u.Email == email));
    }
}
