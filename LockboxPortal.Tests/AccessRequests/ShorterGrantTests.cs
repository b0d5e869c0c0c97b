using System.Security.Claims;
using LockboxPortal.Authorization;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.AccessRequests.Signing;
using LockboxPortal.Features.Audit;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.AccessRequests;

/// <summary>
/// A customer approver may approve for less time than requested, never more; the grant lasts the shortest duration
/// any counted approver allowed. A passkey signs the duration this approver allowed, so nobody lengthens it afterwards.
/// </summary>
public sealed class ShorterGrantTests
{
    private static readonly ClaimsPrincipal SignedInApprover = new(new ClaimsIdentity(
        [new Claim(ClaimTypes.NameIdentifier, Cast.Approver1), new Claim(ActingUser.AuthenticationMethodClaim, ActingUser.MultiFactor)], "Test"));

    [Theory]
    [InlineData(2.0, 1.0)]
    [InlineData(1.0, null)]
    [InlineData(null, 1.0)]
    public async Task InAQuorumOfTwo_TheShortestAllowedDurationWins(double? firstHours, double? secondHours)
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await harness.SetPolicyAsync(harness.Contoso, p => p with { RequiredApprovals = 2 });
        var pending = await harness.PendingCustomerAsync();

        var afterFirst = await harness.Requests.DecideCustomerAsync(ServiceHarness.Approver1, pending.Id, approve: true, "ok", allowedDuration: Hours(firstHours));
        Assert.Equal(RequestStatus.PendingCustomer, afterFirst.Status);
        var approved = await harness.Requests.DecideCustomerAsync(ServiceHarness.Approver2, pending.Id, approve: true, "ok", allowedDuration: Hours(secondHours));

        var now = harness.Time.GetUtcNow();
        Assert.Equal(RequestStatus.Approved, approved.Status);
        Assert.Equal((now, now + TimeSpan.FromHours(1)), (approved.GrantStartsAt, approved.GrantEndsAt));
        Assert.Equal(TimeSpan.FromHours(4), approved.RequestedDuration);
        var opened = Assert.Single(await harness.AuditAsync(pending.Id), e => e.EventType == AuditEventType.Grant_Opened);
        Assert.Contains("\"grantedDuration\":\"01:00:00\"", opened.DetailsJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheRequestedDuration_OrNone_GrantsWhatWasRequested()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var pending = await harness.PendingCustomerAsync();

        var approved = await harness.Requests.DecideCustomerAsync(ServiceHarness.Approver1, pending.Id, approve: true, "ok", allowedDuration: TimeSpan.FromHours(4));

        Assert.Equal(TimeSpan.FromHours(4), approved.GrantEndsAt - approved.GrantStartsAt);
        Assert.Null(approved.CustomerApprovals.Single().AllowedDuration);
    }

    [Theory]
    [InlineData(5, "never more than requested")]
    [InlineData(0.01, "never more than requested")]
    public async Task MoreThanRequested_OrBelowTheMinimum_IsRefusedWithAMessage_AndCountsNothing(double hours, string message)
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var pending = await harness.PendingCustomerAsync();

        var refused = await Assert.ThrowsAsync<InvalidInputException>(() =>
            harness.Requests.DecideCustomerAsync(ServiceHarness.Approver1, pending.Id, approve: true, "ok", allowedDuration: TimeSpan.FromHours(hours)));

        Assert.Contains(message, Assert.Single(refused.Errors[nameof(RequestDecision.AllowedDuration)]), StringComparison.Ordinal);
        await using var db = harness.NewContext();
        var stored = await db.AccessRequests.Include(r => r.Decisions).SingleAsync(r => r.Id == pending.Id);
        Assert.Equal((RequestStatus.PendingCustomer, 0), (stored.Status, stored.CustomerApprovals.Count));
        Assert.DoesNotContain(await harness.AuditAsync(pending.Id), e => e.EventType == AuditEventType.AccessRequest_CustomerApproved);
    }

    [Fact]
    public async Task ADuration_WithARejection_OrAtTheProvidersStage_IsRefused()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var filed = await harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput());

        var atInternal = await Assert.ThrowsAsync<InvalidInputException>(() =>
            harness.Requests.DecideAsync(ServiceHarness.Manager, filed.Id, approve: true, "ok", allowedDuration: TimeSpan.FromHours(1)));
        await harness.Requests.DecideInternalAsync(ServiceHarness.Manager, filed.Id, approve: true, "ok");
        var withRejection = await Assert.ThrowsAsync<InvalidInputException>(() =>
            harness.Requests.DecideCustomerAsync(ServiceHarness.Approver1, filed.Id, approve: false, "no", allowedDuration: TimeSpan.FromHours(1)));

        Assert.Contains("Only the customer's approvers", atInternal.Errors[nameof(RequestDecision.AllowedDuration)][0], StringComparison.Ordinal);
        Assert.Contains("not a rejection", withRejection.Errors[nameof(RequestDecision.AllowedDuration)][0], StringComparison.Ordinal);
        await using var db = harness.NewContext();
        Assert.Equal(RequestStatus.PendingCustomer, (await db.AccessRequests.SingleAsync(r => r.Id == filed.Id)).Status);
    }

    [Fact]
    public async Task APasskeySignsTheShorterDuration_AndTheSignedDecisionVerifies()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        using var passkey = new SoftwarePasskey();
        await PasskeySignedDecisionTests.ArrangeAsync(harness, passkey);
        var pending = await harness.PendingCustomerAsync();

        var factor = await SignAsync(harness, passkey, pending.Id, TimeSpan.FromHours(1));
        var approved = await harness.Requests.DecideCustomerAsync(SignedInApprover, pending.Id, approve: true, "one hour", factor, allowedDuration: TimeSpan.FromHours(1));

        Assert.Equal(TimeSpan.FromHours(1), approved.GrantEndsAt - approved.GrantStartsAt);
        var verified = await harness.Services.GetRequiredService<SignedDecisionVerifier>().VerifyAsync(harness.Contoso);
        Assert.True(verified.IsIntact, verified.ToString());
    }

    [Theory]
    [InlineData(null, 1.0)]
    [InlineData(1.0, null)]
    [InlineData(1.0, 2.0)]
    public async Task ASignatureForAnotherDuration_IsRefused_AndChangesNothing(double? signedHours, double? submittedHours)
    {
        await using var harness = await ServiceHarness.CreateAsync();
        using var passkey = new SoftwarePasskey();
        await PasskeySignedDecisionTests.ArrangeAsync(harness, passkey);
        var pending = await harness.PendingCustomerAsync();
        var factor = await SignAsync(harness, passkey, pending.Id, Hours(signedHours));

        var refused = await Assert.ThrowsAsync<FreshFactorException>(() =>
            harness.Requests.DecideCustomerAsync(SignedInApprover, pending.Id, approve: true, "go", factor, allowedDuration: Hours(submittedHours)));

        Assert.Equal(FreshFactorException.SignatureRefused, refused.Code);
        await using var db = harness.NewContext();
        Assert.Equal(RequestStatus.PendingCustomer, (await db.AccessRequests.SingleAsync(r => r.Id == pending.Id)).Status);
        Assert.Empty(await db.SignedDecisions.ToListAsync());
    }

    private static TimeSpan? Hours(double? hours) => hours is { } h ? TimeSpan.FromHours(h) : null;

    private static async Task<FreshFactor> SignAsync(ServiceHarness harness, SoftwarePasskey passkey, Guid requestId, TimeSpan? allowed)
    {
        var options = await harness.Services.GetRequiredService<DecisionSigning>().OptionsAsync(SignedInApprover, requestId, DecisionStatement.Approve, allowed);
        Assert.NotNull(options);
        return new FreshFactor(PasskeyAssertion: passkey.Sign(options.OptionsJson, PasskeySignedDecisionTests.Origin), SignedAt: options.SignedAt);
    }
}
