using System.Security.Claims;
using LockboxPortal.Features.Approvers;
using LockboxPortal.Authorization;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Tests.AccessRequests;

/// <summary>
/// DESIGN.md rule 12, at the moment of deciding: in a tenant that requires two-factor (and so, by default, a fresh
/// factor), a customer decision or revoke carries a factor proven within the tenant's window, checked by the service
/// through the gate. Missing, wrong, too old or already used, it is refused with a reason, recorded, and changes nothing.
/// </summary>
public sealed class FreshFactorTests
{
    private static ClaimsPrincipal Signed(string userId, params Claim[] more) =>
        new(new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, userId), new Claim(ActingUser.AuthenticationMethodClaim, ActingUser.MultiFactor), .. more], "Test"));

    private static async Task<(ServiceHarness Harness, string Key)> TenantRequiringTwoFactorAsync(Func<TenantPolicy, TenantPolicy>? change = null)
    {
        var harness = await ServiceHarness.CreateAsync();
        await harness.SetPolicyAsync(harness.Contoso, p => (change ?? (x => x))(p with { RequireTwoFactor = true }));
        await using var db = harness.NewContext();
        var key = await Authenticators.EnrolAsync(db, Cast.Approver1);
        await Authenticators.EnrolAsync(db, Cast.ContosoOfficer);
        return (harness, key);
    }

    [Fact]
    public void TheFreshFactor_IsOnByDefault_WithAFiveMinuteWindow_WhereTwoFactorIsRequired()
    {
        Assert.Null(TenantPolicy.Default.FreshFactorWindowRequired);
        Assert.Equal(TimeSpan.FromMinutes(5), (TenantPolicy.Default with { RequireTwoFactor = true }).FreshFactorWindowRequired);
        Assert.Null((TenantPolicy.Default with { RequireTwoFactor = true, RequireFreshFactor = false }).FreshFactorWindowRequired);
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(15, true)]
    [InlineData(16, false)]
    public void TheWindow_IsOneToFifteenMinutes(int minutes, bool valid)
    {
        var errors = (TenantPolicy.Default with { FreshFactorWindow = TimeSpan.FromMinutes(minutes) }).Validate(approverCount: 3);

        Assert.Equal(!valid, errors.ContainsKey(nameof(TenantPolicy.FreshFactorWindow)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ADecision_FromATwoFactorSession_WithoutAFreshFactor_IsRefused_Recorded_AndChangesNothing(bool approve)
    {
        var (harness, _) = await TenantRequiringTwoFactorAsync();
        await using var _h = harness;
        var pending = await harness.PendingCustomerAsync();

        var refused = await Assert.ThrowsAsync<FreshFactorException>(() =>
            harness.Requests.DecideCustomerAsync(Signed(Cast.Approver1), pending.Id, approve, "signed in this morning"));

        Assert.Equal(FreshFactorException.Missing, refused.Code);
        Assert.Contains("authenticator app", refused.Message, StringComparison.Ordinal);
        await AssertUnchangedAsync(harness, pending, FreshFactorException.Missing);
    }

    [Fact]
    public async Task ADecision_WithACodeOlderThanTheWindow_IsRefusedAsStale()
    {
        var (harness, key) = await TenantRequiringTwoFactorAsync();
        await using var _h = harness;
        var pending = await harness.PendingCustomerAsync();
        var sixMinutesOld = Totp.Code(key, harness.Time.GetUtcNow().AddMinutes(-6));

        var refused = await Assert.ThrowsAsync<FreshFactorException>(() =>
            harness.Requests.DecideCustomerAsync(Signed(Cast.Approver1), pending.Id, approve: true, "ok", new FreshFactor(sixMinutesOld)));

        Assert.Equal(FreshFactorException.Stale, refused.Code);
        await AssertUnchangedAsync(harness, pending, FreshFactorException.Stale);
    }

    [Fact]
    public async Task ADecision_WithAWrongCode_IsRefusedAsWrong()
    {
        var (harness, key) = await TenantRequiringTwoFactorAsync();
        await using var _h = harness;
        var pending = await harness.PendingCustomerAsync();
        var right = Totp.Code(key, harness.Time.GetUtcNow());
        var wrong = ((int.Parse(right, System.Globalization.CultureInfo.InvariantCulture) + 1) % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);

        var refused = await Assert.ThrowsAsync<FreshFactorException>(() =>
            harness.Requests.DecideCustomerAsync(Signed(Cast.Approver1), pending.Id, approve: true, "ok", new FreshFactor(wrong)));

        Assert.Equal(FreshFactorException.Wrong, refused.Code);
        await AssertUnchangedAsync(harness, pending, FreshFactorException.Wrong);
    }

    [Fact]
    public async Task ADecision_WithTheCodeShownNow_Counts_AndTheTrailSaysHowItWasProven()
    {
        var (harness, key) = await TenantRequiringTwoFactorAsync();
        await using var _h = harness;
        var pending = await harness.PendingCustomerAsync();

        var approved = await harness.Requests.DecideCustomerAsync(
            Signed(Cast.Approver1), pending.Id, approve: true, "ok", new FreshFactor(Totp.Code(key, harness.Time.GetUtcNow())));

        Assert.Equal(RequestStatus.Approved, approved.Status);
        var entry = Assert.Single(await harness.AuditAsync(pending.Id), e => e.EventType == AuditEventType.AccessRequest_CustomerApproved);
        Assert.Contains("authenticator-code", entry.DetailsJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACodeWithinTheWindow_Counts_OneJustPastIt_DoesNot()
    {
        var (harness, key) = await TenantRequiringTwoFactorAsync(p => p with { FreshFactorWindow = TimeSpan.FromMinutes(10) });
        await using var _h = harness;
        var first = await harness.PendingCustomerAsync();
        var second = await harness.PendingCustomerAsync(scope: "Exchange:mailbox/bo@contoso.com");
        var now = harness.Time.GetUtcNow();

        await Assert.ThrowsAsync<FreshFactorException>(() =>
            harness.Requests.DecideCustomerAsync(Signed(Cast.Approver1), first.Id, approve: true, "ok", new FreshFactor(Totp.Code(key, now.AddMinutes(-11)))));
        var approved = await harness.Requests.DecideCustomerAsync(
            Signed(Cast.Approver1), second.Id, approve: true, "ok", new FreshFactor(Totp.Code(key, now.AddMinutes(-9))));

        Assert.Equal(RequestStatus.Approved, approved.Status);
    }

    [Fact]
    public async Task ACodeOnceUsed_IsNotAcceptedAgain_TheNextOneIs()
    {
        var (harness, key) = await TenantRequiringTwoFactorAsync();
        await using var _h = harness;
        var first = await harness.PendingCustomerAsync();
        var second = await harness.PendingCustomerAsync(scope: "Exchange:mailbox/bo@contoso.com");
        var code = Totp.Code(key, harness.Time.GetUtcNow());
        await harness.Requests.DecideCustomerAsync(Signed(Cast.Approver1), first.Id, approve: true, "ok", new FreshFactor(code));

        var refused = await Assert.ThrowsAsync<FreshFactorException>(() =>
            harness.Requests.DecideCustomerAsync(Signed(Cast.Approver1), second.Id, approve: true, "ok", new FreshFactor(code)));
        Assert.Equal(FreshFactorException.Reused, refused.Code);

        harness.Time.Advance(TimeSpan.FromSeconds(30));
        var approved = await harness.Requests.DecideCustomerAsync(
            Signed(Cast.Approver1), second.Id, approve: true, "ok", new FreshFactor(Totp.Code(key, harness.Time.GetUtcNow())));
        Assert.Equal(RequestStatus.Approved, approved.Status);
    }

    /// <summary>The same code on eight decisions at once (on PostgreSQL, eight transactions in flight together): it counts for one.</summary>
    [Fact]
    public async Task ACode_UsedForEightDecisionsAtOnce_CountsForOne()
    {
        var (harness, key) = await TenantRequiringTwoFactorAsync();
        await using var _h = harness;
        var pending = new List<AccessRequest>();
        for (var i = 0; i < 8; i++)
        {
            pending.Add(await harness.PendingCustomerAsync(scope: $"Exchange:mailbox/person{i}@contoso.com"));
        }

        var code = Totp.Code(key, harness.Time.GetUtcNow());
        var outcomes = await Task.WhenAll(pending.Select(request => Task.Run(async () =>
        {
            try
            {
                await harness.Requests.DecideCustomerAsync(Signed(Cast.Approver1), request.Id, approve: true, "ok", new FreshFactor(code));
                return "approved";
            }
            catch (FreshFactorException refused)
            {
                return refused.Code;
            }
        })));

        Assert.Equal(1, outcomes.Count(o => o == "approved"));
        Assert.Equal(7, outcomes.Count(o => o == FreshFactorException.Reused));
        await using var db = harness.NewContext();
        Assert.Equal(1, await db.AccessRequests.CountAsync(r => r.Status == RequestStatus.Approved));
    }

    [Fact]
    public async Task ACode_OfADecisionThatARuleRefuses_IsNotUsedUp()
    {
        var (harness, key) = await TenantRequiringTwoFactorAsync(p => p with { RequiredApprovals = 2 });
        await using var _h = harness;
        var twice = await harness.PendingCustomerAsync();
        var other = await harness.PendingCustomerAsync(scope: "Exchange:mailbox/bo@contoso.com");
        await harness.Requests.DecideCustomerAsync(Signed(Cast.Approver1), twice.Id, approve: true, "ok", new FreshFactor(Totp.Code(key, harness.Time.GetUtcNow())));
        harness.Time.Advance(TimeSpan.FromSeconds(30));
        var code = Totp.Code(key, harness.Time.GetUtcNow());

        // One person counts once: the second approval is refused after its code was checked, and rolls back with it.
        await Assert.ThrowsAsync<AlreadyCountedException>(() =>
            harness.Requests.DecideCustomerAsync(Signed(Cast.Approver1), twice.Id, approve: true, "again", new FreshFactor(code)));
        var counted = await harness.Requests.DecideCustomerAsync(Signed(Cast.Approver1), other.Id, approve: true, "ok", new FreshFactor(code));

        Assert.Single(counted.CustomerApprovals);
    }

    [Fact]
    public async Task AFreshCode_ProvesTheSecondFactor_EvenFromAPasswordOnlySession()
    {
        var (harness, key) = await TenantRequiringTwoFactorAsync();
        await using var _h = harness;
        var pending = await harness.PendingCustomerAsync();

        var approved = await harness.Requests.DecideCustomerAsync(
            ServiceHarness.Approver1, pending.Id, approve: true, "ok", new FreshFactor(Totp.Code(key, harness.Time.GetUtcNow())));

        Assert.Equal(RequestStatus.Approved, approved.Status);
    }

    [Fact]
    public async Task SomeoneWithNoAuthenticator_IsToldHowToEnrol()
    {
        var (harness, _) = await TenantRequiringTwoFactorAsync();
        await using var _h = harness;
        var pending = await harness.PendingCustomerAsync();

        await Assert.ThrowsAsync<SecondFactorRequiredException>(() =>
            harness.Requests.DecideCustomerAsync(ServiceHarness.Approver2, pending.Id, approve: true, "ok", new FreshFactor("123456")));
    }

    [Theory]
    [InlineData(4, true)]
    [InlineData(6, false)]
    public async Task AnExternalSignIn_WithinTheWindow_IsTheFreshFactor(int minutesAgo, bool counts)
    {
        var (harness, _) = await TenantRequiringTwoFactorAsync();
        await using var _h = harness;
        var pending = await harness.PendingCustomerAsync();
        var authTime = harness.Time.GetUtcNow().AddMinutes(-minutesAgo).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var external = Signed(Cast.Approver1, new Claim(ClaimTypes.AuthenticationMethod, "EntraId"), new Claim(FreshFactorCheck.AuthTimeClaim, authTime));

        if (counts)
        {
            Assert.Equal(RequestStatus.Approved, (await harness.Requests.DecideCustomerAsync(external, pending.Id, approve: true, "ok")).Status);
        }
        else
        {
            var refused = await Assert.ThrowsAsync<FreshFactorException>(() => harness.Requests.DecideCustomerAsync(external, pending.Id, approve: true, "ok"));
            Assert.Equal(FreshFactorException.Stale, refused.Code);
        }
    }

    [Fact]
    public async Task ARecentExternalSignIn_WithoutASecondFactor_IsRefusedAsNoSecondFactor()
    {
        var (harness, _) = await TenantRequiringTwoFactorAsync();
        await using var _h = harness;
        var pending = await harness.PendingCustomerAsync();
        var authTime = harness.Time.GetUtcNow().AddMinutes(-1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var passwordOnly = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, Cast.Approver1), new Claim(ClaimTypes.AuthenticationMethod, "EntraId"), new Claim(FreshFactorCheck.AuthTimeClaim, authTime)], "Test"));

        await Assert.ThrowsAsync<SecondFactorRequiredException>(() => harness.Requests.DecideCustomerAsync(passwordOnly, pending.Id, approve: true, "ok"));
        await using var db = harness.NewContext();
        Assert.Equal(RequestStatus.PendingCustomer, (await db.AccessRequests.AsNoTracking().SingleAsync(r => r.Id == pending.Id)).Status);
    }

    [Fact]
    public async Task AnAuthTimeWithoutAnExternalSignIn_IsNotAFreshFactor()
    {
        var (harness, _) = await TenantRequiringTwoFactorAsync();
        await using var _h = harness;
        var pending = await harness.PendingCustomerAsync();
        var local = Signed(Cast.Approver1, new Claim(FreshFactorCheck.AuthTimeClaim, harness.Time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)));

        await Assert.ThrowsAsync<FreshFactorException>(() => harness.Requests.DecideCustomerAsync(local, pending.Id, approve: true, "ok"));
    }

    [Fact]
    public async Task ARevoke_NeedsAFreshFactorToo()
    {
        var (harness, key) = await TenantRequiringTwoFactorAsync();
        await using var _h = harness;
        await harness.SetPolicyAsync(harness.Contoso, p => p with { RequireTwoFactor = false });
        var grant = await harness.ApprovedAsync();
        await harness.SetPolicyAsync(harness.Contoso, p => p with { RequireTwoFactor = true });

        var refused = await Assert.ThrowsAsync<FreshFactorException>(() => harness.Grants.RevokeAsync(Signed(Cast.ContosoOfficer), grant.Id, "no code"));
        Assert.Equal(FreshFactorException.Missing, refused.Code);
        await using (var db = harness.NewContext())
        {
            Assert.Equal(RequestStatus.Approved, (await db.AccessRequests.AsNoTracking().SingleAsync(r => r.Id == grant.Id)).Status);
        }

        var revoked = await harness.Grants.RevokeAsync(Signed(Cast.ContosoOfficer), grant.Id, "proven", new FreshFactor(Totp.Code(key, harness.Time.GetUtcNow())));
        Assert.Equal(RequestStatus.Revoked, revoked.Status);
    }

    [Fact]
    public async Task ThePolicyChange_IsValidated_AndAudited()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var policy = TenantPolicy.Default with { RequireTwoFactor = true, FreshFactorWindow = TimeSpan.FromMinutes(16) };

        var invalid = await Assert.ThrowsAsync<InvalidInputException>(() => harness.ApproverList.ChangePolicyAsync(ServiceHarness.ContosoOfficer, harness.Contoso, policy));
        Assert.Contains(nameof(TenantPolicy.FreshFactorWindow), invalid.Errors.Keys);

        Assert.Equal(ChangeOutcome.Applied, await harness.ApproverList.ChangePolicyAsync(ServiceHarness.ContosoOfficer, harness.Contoso, policy with { FreshFactorWindow = TimeSpan.FromMinutes(2) }));
        var entry = (await harness.AuditAsync()).Last(e => e.EventType == AuditEventType.Policy_Changed);
        Assert.Contains("\"freshFactorWindow\":\"00:02:00\"", entry.DetailsJson, StringComparison.Ordinal);
        await using var db = harness.NewContext();
        Assert.Equal(TimeSpan.FromMinutes(2), (await db.Tenants.SingleAsync(t => t.Id == harness.Contoso)).Policy.FreshFactorWindow);
    }

    private static async Task AssertUnchangedAsync(ServiceHarness harness, AccessRequest pending, string reason)
    {
        await using var db = harness.NewContext();
        var stored = await db.AccessRequests.AsNoTracking().Include(r => r.Decisions).SingleAsync(r => r.Id == pending.Id);
        Assert.Equal(RequestStatus.PendingCustomer, stored.Status);
        Assert.Equal(pending.Decisions.Count, stored.Decisions.Count);
        var refusal = Assert.Single(await harness.AuditAsync(pending.Id), e => e.EventType == AuditEventType.Operation_Refused);
        Assert.Equal(Cast.Approver1, refusal.ActorId);
        Assert.Contains(reason, refusal.DetailsJson, StringComparison.Ordinal);
    }
}
