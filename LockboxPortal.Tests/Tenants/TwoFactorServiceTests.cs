using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Tenants;

/// <summary>Enrolling an authenticator app, recovery codes and reset, each audited and all-or-nothing.</summary>
public sealed class TwoFactorServiceTests
{
    private static readonly System.Security.Claims.ClaimsPrincipal Approver = ServiceHarness.Approver1;

    [Fact]
    public async Task Enable_WithTheAppsCode_TurnsItOn_GivesTenRecoveryCodes_KeptOnlyAsHashes_AndIsAudited()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var service = Service(harness);
        var setup = await service.AuthenticatorSetupAsync(Approver);

        var codes = await service.EnableAsync(Approver, Totp.Now(setup.SharedKey));

        Assert.Equal(TwoFactorService.RecoveryCodeCount, codes.Distinct().Count());
        Assert.Equal(new TwoFactorStatus(true, TwoFactorService.RecoveryCodeCount), await service.StatusAsync(Approver));
        Assert.StartsWith("otpauth://totp/LockboxPortal:", setup.AuthenticatorUri, StringComparison.Ordinal);
        Assert.Contains("secret=" + setup.SharedKey.Replace(" ", "").ToUpperInvariant(), setup.AuthenticatorUri, StringComparison.Ordinal);
        await using var db = harness.NewContext();
        var stored = string.Join("\n", await db.UserTokens.AsNoTracking().Where(t => t.UserId == Cast.Approver1).Select(t => t.Value).ToListAsync());
        Assert.All(codes, code => Assert.DoesNotContain(code, stored, StringComparison.OrdinalIgnoreCase));
        Assert.All(codes, code => Assert.DoesNotContain(code.Replace("-", ""), stored, StringComparison.OrdinalIgnoreCase));
        var entry = Assert.Single(await harness.AuditAsync(), e => e.EventType == AuditEventType.TwoFactor_Enabled);
        Assert.Equal((harness.Contoso, Cast.Approver1, "User", Cast.Approver1), (entry.TenantId, entry.ActorId, entry.SubjectType, entry.SubjectId));
    }

    [Theory]
    [InlineData("000000")]
    [InlineData("")]
    [InlineData("12345")]
    [InlineData("not a code")]
    public async Task Enable_WithAWrongCode_IsRefused_AndChangesNothing(string code)
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var service = Service(harness);
        var setup = await service.AuthenticatorSetupAsync(Approver);
        if (code == "000000" && Totp.Now(setup.SharedKey) == code)
        {
            code = "999999";
        }

        var refused = await Assert.ThrowsAsync<InvalidInputException>(() => service.EnableAsync(Approver, code));

        Assert.Contains("Code", refused.Errors.Keys);
        Assert.False((await service.StatusAsync(Approver)).Enabled);
        Assert.DoesNotContain(await harness.AuditAsync(), e => e.EventType == AuditEventType.TwoFactor_Enabled);
    }

    [Fact]
    public async Task Setup_ShowsTheSameKeyUntilEnrolment_AndNoKeyOnceOn()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var service = Service(harness);
        var first = await service.AuthenticatorSetupAsync(Approver);

        Assert.Equal(first, await service.AuthenticatorSetupAsync(Approver));
        await service.EnableAsync(Approver, Totp.Now(first.SharedKey));
        await Assert.ThrowsAsync<InvalidInputException>(() => service.AuthenticatorSetupAsync(Approver));
    }

    [Fact]
    public async Task NewRecoveryCodes_ReplaceTheOldOnes_Audited()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var service = Service(harness);
        var old = await service.EnableAsync(Approver, Totp.Now((await service.AuthenticatorSetupAsync(Approver)).SharedKey));

        var fresh = await service.NewRecoveryCodesAsync(Approver);

        await using var scope = harness.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var person = (await users.FindByIdAsync(Cast.Approver1))!;
        Assert.False((await users.RedeemTwoFactorRecoveryCodeAsync(person, old[0])).Succeeded);
        Assert.True((await users.RedeemTwoFactorRecoveryCodeAsync(person, fresh[0])).Succeeded);
        Assert.False((await users.RedeemTwoFactorRecoveryCodeAsync(person, fresh[0])).Succeeded);
        Assert.Equal(TwoFactorService.RecoveryCodeCount - 1, await users.CountRecoveryCodesAsync(person));
        Assert.Single(await harness.AuditAsync(), e => e.EventType == AuditEventType.TwoFactor_RecoveryCodesReplaced);
    }

    [Fact]
    public async Task Reset_TurnsItOff_ReplacesTheKey_AndEndsOtherSessions()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var service = Service(harness);
        var setup = await service.AuthenticatorSetupAsync(Approver);
        await service.EnableAsync(Approver, Totp.Now(setup.SharedKey));
        var stampBefore = await StampAsync(harness);

        await service.ResetAsync(Approver);

        Assert.Equal(new TwoFactorStatus(false, 0), await service.StatusAsync(Approver));
        Assert.NotEqual(stampBefore, await StampAsync(harness));
        var again = await service.AuthenticatorSetupAsync(Approver);
        Assert.NotEqual(setup.SharedKey, again.SharedKey);
        await Assert.ThrowsAsync<InvalidInputException>(() => service.EnableAsync(Approver, Totp.Now(setup.SharedKey)));
        Assert.Single(await harness.AuditAsync(), e => e.EventType == AuditEventType.TwoFactor_Reset);
    }

    [Fact]
    public async Task AnInactivePerson_CanChangeNothing()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await using (var db = harness.NewContext())
        {
            (await db.Users.SingleAsync(u => u.Id == Cast.Approver1)).IsActive = false;
            await db.SaveChangesAsync();
        }

        await Assert.ThrowsAsync<ForbiddenException>(() => Service(harness).AuthenticatorSetupAsync(Approver));
        await Assert.ThrowsAsync<ForbiddenException>(() => Service(harness).ResetAsync(Approver));
    }

    private static TwoFactorService Service(ServiceHarness harness) =>
        harness.Services.CreateScope().ServiceProvider.GetRequiredService<TwoFactorService>();

    private static async Task<string?> StampAsync(ServiceHarness harness)
    {
        await using var db = harness.NewContext();
        return await db.Users.Where(u => u.Id == Cast.Approver1).Select(u => u.SecurityStamp).SingleAsync();
    }
}
