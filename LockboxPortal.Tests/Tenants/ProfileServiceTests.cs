using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Tests.Tenants;

public sealed class ProfileServiceTests : IAsyncLifetime
{
    private ServiceHarness _harness = default!;
    private string _userId = "";

    public async Task InitializeAsync()
    {
        _harness = await ServiceHarness.CreateAsync();
        _userId = await _harness.InviteAndAcceptAsync(ServiceHarness.ContosoOfficer, "pat@contoso.test", _harness.Contoso, PortalRole.TenantAdmin);
    }

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task ChangeDisplayName_IsSaved_AndAudited()
    {
        await _harness.Profiles().ChangeDisplayNameAsync(ServiceHarness.As(_userId), "  Pat Admin ");

        Assert.Equal(new ProfileView("pat@contoso.test", "Pat Admin"), await _harness.Profiles().GetAsync(ServiceHarness.As(_userId)));
        Assert.Contains(await _harness.AuditAsync(), e => e.EventType == AuditEventType.User_ProfileChanged && e.ActorId == _userId);
        await Assert.ThrowsAsync<InvalidInputException>(() => _harness.Profiles().ChangeDisplayNameAsync(ServiceHarness.As(_userId), "\u0007"));
    }

    [Fact]
    public async Task ChangePassword_NeedsTheCurrentOne_AndAStrongNewOne_ThenChangesTheSecurityStamp()
    {
        var profiles = _harness.Profiles();
        var me = ServiceHarness.As(_userId);
        string stamp;
        await using (var db = _harness.NewContext())
        {
            stamp = (await db.Users.SingleAsync(u => u.Id == _userId)).SecurityStamp!;
        }

        var wrong = await Assert.ThrowsAsync<InvalidInputException>(() => profiles.ChangePasswordAsync(me, "wrong-password-123", "a-new-long-password-7", "a-new-long-password-7"));
        Assert.Contains("CurrentPassword", wrong.Errors.Keys);
        var weak = await Assert.ThrowsAsync<InvalidInputException>(() => profiles.ChangePasswordAsync(me, AdminHarness.StrongPassword, "short1", "short1"));
        Assert.Contains("NewPassword", weak.Errors.Keys);

        await profiles.ChangePasswordAsync(me, AdminHarness.StrongPassword, "a-new-long-password-7", "a-new-long-password-7");

        await using var check = _harness.NewContext();
        Assert.NotEqual(stamp, (await check.Users.SingleAsync(u => u.Id == _userId)).SecurityStamp);
        Assert.Contains(await _harness.AuditAsync(), e => e.EventType == AuditEventType.User_PasswordChanged && e.ActorId == _userId);
        await Assert.ThrowsAsync<InvalidInputException>(() => profiles.ChangePasswordAsync(me, AdminHarness.StrongPassword, "another-long-one-88", "another-long-one-88"));
    }
}
