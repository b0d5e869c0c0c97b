using System.Security.Claims;
using LockboxPortal.Authorization;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.AccessRequests.Signing;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.AccessRequests;

/// <summary>
/// DESIGN.md rule 12, signed: a passkey assertion over the decision's own statement is the fresh factor, and it is kept
/// with the decision so the decision verifies against the approver's key later. An assertion made for another decision,
/// by a passkey that is not the person's, or older than the tenant's window is refused, recorded and changes nothing.
/// </summary>
public sealed class PasskeySignedDecisionTests
{
    public const string Origin = "https://lockbox.example";

    private static readonly ClaimsPrincipal Approver = new(new ClaimsIdentity(
        [new Claim(ClaimTypes.NameIdentifier, Cast.Approver1), new Claim(ActingUser.AuthenticationMethodClaim, ActingUser.MultiFactor)], "Test"));

    /// <summary>Contoso requires two-factor (and so a fresh factor); Approver1 has registered <paramref name="passkey"/>; the page is on <see cref="Origin"/>.</summary>
    internal static async Task ArrangeAsync(ServiceHarness harness, SoftwarePasskey passkey)
    {
        await harness.SetPolicyAsync(harness.Contoso, p => p with { RequireTwoFactor = true });
        harness.Services.GetRequiredService<ClientContext>().Current = new ClientInfo("192.0.2.10", "browser/1", Origin);
        await passkey.RegisterAsync(harness.Services.GetRequiredService<TwoFactorService>(), Approver, harness.Time.GetUtcNow());
    }

    /// <summary>The decision dialog's path: the portal's options for this outcome, the device's signature, the decision.</summary>
    internal static async Task<AccessRequest> ApproveWithPasskeyAsync(ServiceHarness harness, SoftwarePasskey passkey, Guid requestId)
    {
        var factor = await SignAsync(harness, passkey, requestId, DecisionStatement.Approve);
        return await harness.Requests.DecideCustomerAsync(Approver, requestId, approve: true, "go ahead", factor);
    }

    private static async Task<FreshFactor> SignAsync(ServiceHarness harness, SoftwarePasskey passkey, Guid requestId, string outcome)
    {
        var options = await harness.Services.GetRequiredService<DecisionSigning>().OptionsAsync(Approver, requestId, outcome);
        Assert.NotNull(options);
        return new FreshFactor(PasskeyAssertion: passkey.Sign(options.OptionsJson, Origin), SignedAt: options.SignedAt);
    }

    [Fact]
    public async Task AnApproval_SignedWithAPasskey_Counts_KeepsTheAssertionWithTheDecision_AndVerifies()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        using var passkey = new SoftwarePasskey();
        await ArrangeAsync(harness, passkey);
        var pending = await harness.PendingCustomerAsync();

        var approved = await ApproveWithPasskeyAsync(harness, passkey, pending.Id);

        Assert.Equal(RequestStatus.Approved, approved.Status);
        await using var db = harness.NewContext();
        var signed = Assert.Single(await db.SignedDecisions.AsNoTracking().ToListAsync());
        Assert.Equal((pending.Id, DecisionStatement.Approve, Cast.Approver1), (signed.AccessRequestId, signed.Outcome, signed.DeciderId));
        var entry = Assert.Single(await harness.AuditAsync(pending.Id), e => e.EventType == AuditEventType.AccessRequest_CustomerApproved);
        Assert.Contains("\"freshFactor\":\"passkey\"", entry.DetailsJson, StringComparison.Ordinal);
        Assert.Contains(signed.Signature, entry.DetailsJson, StringComparison.Ordinal);
        var verified = await harness.Services.GetRequiredService<SignedDecisionVerifier>().VerifyAsync(harness.Contoso);
        Assert.True(verified.IsIntact, verified.ToString());
        Assert.Equal(1, verified.Checked);
    }

    [Fact]
    public async Task ARevoke_SignedWithAPasskey_EndsTheGrant_AndVerifies_EvenAfterThePasskeyIsRemoved()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        using var passkey = new SoftwarePasskey();
        await ArrangeAsync(harness, passkey);
        var pending = await harness.PendingCustomerAsync();
        await ApproveWithPasskeyAsync(harness, passkey, pending.Id);

        var factor = await SignAsync(harness, passkey, pending.Id, DecisionStatement.Revoke);
        var revoked = await harness.Grants.RevokeAsync(Approver, pending.Id, "work finished", factor);
        await harness.Services.GetRequiredService<TwoFactorService>().RemovePasskeyAsync(Approver, System.Buffers.Text.Base64Url.EncodeToString(passkey.CredentialId));

        Assert.Equal(RequestStatus.Revoked, revoked.Status);
        var verified = await harness.Services.GetRequiredService<SignedDecisionVerifier>().VerifyAsync(harness.Contoso);
        Assert.True(verified.IsIntact, verified.ToString());
        Assert.Equal(2, verified.Checked);
    }

    public static TheoryData<string> OtherDecisions() => new() { "another request", "a rejection", "a revoke" };

    [Theory]
    [MemberData(nameof(OtherDecisions))]
    public async Task AnAssertion_MadeForAnotherDecision_IsRefused_Recorded_AndChangesNothing(string madeFor)
    {
        await using var harness = await ServiceHarness.CreateAsync();
        using var passkey = new SoftwarePasskey();
        await ArrangeAsync(harness, passkey);
        var pending = await harness.PendingCustomerAsync();
        var other = await harness.PendingCustomerAsync(scope: "Exchange:mailbox/bob@contoso.com");
        var factor = madeFor switch
        {
            "another request" => await SignAsync(harness, passkey, other.Id, DecisionStatement.Approve),
            "a rejection" => await SignAsync(harness, passkey, pending.Id, DecisionStatement.Reject),
            _ => await SignAsync(harness, passkey, pending.Id, DecisionStatement.Revoke),
        };

        var refused = await Assert.ThrowsAsync<FreshFactorException>(() =>
            harness.Requests.DecideCustomerAsync(Approver, pending.Id, approve: true, "go ahead", factor));

        Assert.Equal(FreshFactorException.SignatureRefused, refused.Code);
        await AssertUnchangedAsync(harness, pending, FreshFactorException.SignatureRefused);
    }

    [Fact]
    public async Task AnAssertion_ThatAlreadyCounted_IsRefusedAsReused()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        using var passkey = new SoftwarePasskey();
        await ArrangeAsync(harness, passkey);
        var pending = await harness.PendingCustomerAsync();
        var factor = await SignAsync(harness, passkey, pending.Id, DecisionStatement.Approve);
        await harness.Requests.DecideCustomerAsync(Approver, pending.Id, approve: true, "go ahead", factor);

        var refused = await Assert.ThrowsAsync<FreshFactorException>(() =>
            harness.Requests.DecideCustomerAsync(Approver, pending.Id, approve: true, "go ahead", factor));

        Assert.Equal(FreshFactorException.Reused, refused.Code);
        await using var db = harness.NewContext();
        Assert.Single(await db.SignedDecisions.AsNoTracking().ToListAsync());
    }

    [Fact]
    public async Task AnAssertion_ByAPasskeyThePersonNeverRegistered_IsRefused()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        using var registered = new SoftwarePasskey();
        using var stranger = new SoftwarePasskey();
        await ArrangeAsync(harness, registered);
        var pending = await harness.PendingCustomerAsync();
        var options = await harness.Services.GetRequiredService<DecisionSigning>().OptionsAsync(Approver, pending.Id, DecisionStatement.Approve);

        var refused = await Assert.ThrowsAsync<FreshFactorException>(() => harness.Requests.DecideCustomerAsync(
            Approver, pending.Id, approve: true, "go ahead", new FreshFactor(PasskeyAssertion: stranger.Sign(options!.OptionsJson, Origin), SignedAt: options.SignedAt)));

        Assert.Equal(FreshFactorException.SignatureRefused, refused.Code);
        await AssertUnchangedAsync(harness, pending, FreshFactorException.SignatureRefused);
    }

    [Fact]
    public async Task AnAssertion_MadeOnAnotherSite_IsRefused()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        using var passkey = new SoftwarePasskey();
        await ArrangeAsync(harness, passkey);
        var pending = await harness.PendingCustomerAsync();
        var options = await harness.Services.GetRequiredService<DecisionSigning>().OptionsAsync(Approver, pending.Id, DecisionStatement.Approve);

        var refused = await Assert.ThrowsAsync<FreshFactorException>(() => harness.Requests.DecideCustomerAsync(
            Approver, pending.Id, approve: true, "go ahead",
            new FreshFactor(PasskeyAssertion: passkey.Sign(options!.OptionsJson, "https://lockbox.example.evil"), SignedAt: options.SignedAt)));

        Assert.Equal(FreshFactorException.SignatureRefused, refused.Code);
    }

    [Fact]
    public async Task AnAssertion_SignedLongerAgoThanTheWindow_IsRefusedAsStale()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        using var passkey = new SoftwarePasskey();
        await ArrangeAsync(harness, passkey);
        var pending = await harness.PendingCustomerAsync();
        var factor = await SignAsync(harness, passkey, pending.Id, DecisionStatement.Approve);
        harness.Time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));

        var refused = await Assert.ThrowsAsync<FreshFactorException>(() =>
            harness.Requests.DecideCustomerAsync(Approver, pending.Id, approve: true, "go ahead", factor));

        Assert.Equal(FreshFactorException.Stale, refused.Code);
        await AssertUnchangedAsync(harness, pending, FreshFactorException.Stale);
    }

    private static async Task AssertUnchangedAsync(ServiceHarness harness, AccessRequest pending, string reason)
    {
        await using var db = harness.NewContext();
        var stored = await db.AccessRequests.AsNoTracking().Include(r => r.Decisions).SingleAsync(r => r.Id == pending.Id);
        Assert.Equal(RequestStatus.PendingCustomer, stored.Status);
        Assert.Equal(pending.Decisions.Count, stored.Decisions.Count);
        Assert.Empty(await db.SignedDecisions.AsNoTracking().ToListAsync());
        var refusal = Assert.Single(await harness.AuditAsync(pending.Id), e => e.EventType == AuditEventType.Operation_Refused);
        Assert.Contains(reason, refusal.DetailsJson, StringComparison.Ordinal);
    }
}
