using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.AccessRequests.Signing;
using LockboxPortal.Hosting;
using LockboxPortal.Tests.Hosting;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace LockboxPortal.Tests.AccessRequests;

/// <summary>
/// A passkey-signed approval in real Chromium, with a virtual authenticator (the DevTools WebAuthn domain): in a tenant
/// that asks for a fresh factor, the approver registers a passkey, opens the decision dialog and signs with the passkey
/// instead of typing a code. The approval counts, the assertion is kept with it, and the decision verifies.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait(TestPasses.Category, TestPasses.SqliteOnly)]
public sealed class PasskeyDecisionBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task AnApprover_SignsTheDecisionWithAPasskey_InTheDialog_AndTheSignedDecisionVerifies()
    {
        await using var portal = new LivePortal(browser.Browser);
        await portal.ArrangePolicyAsync(DemoData.ContosoId, policy => policy with { RequireTwoFactor = true });

        var reference = await FreshFactorBrowserTests.PendingCustomerAsync(portal);
        var page = await portal.NewPageAsync(host: "localhost");
        await LivePortal.SignInAsync(page, "approver1@contoso.test");
        var cdp = await page.Context.NewCDPSessionAsync(page);
        await cdp.SendAsync("WebAuthn.enable");
        await PasskeyBrowserTests.AddAuthenticatorAsync(cdp);
        await page.GotoAsync("/account/passkeys");
        await PasskeyBrowserTests.AddAsync(page, "work laptop");

        await page.GotoAsync("/queue/approvals");
        await LivePortal.WaitForInteractiveAsync(page);
        await FreshFactorBrowserTests.Row(page, reference).Locator("[data-testid=approve]").ClickAsync();
        await page.ClickAsync("[data-testid=sign-with-passkey]");
        try
        {
            await Assertions.Expect(FreshFactorBrowserTests.Row(page, reference)).ToHaveCountAsync(0);
        }
        catch (PlaywrightException)
        {
            var said = await page.Locator("[data-testid=passkey-sign-problem], .mud-snackbar").AllInnerTextsAsync();
            Assert.Fail($"The signed approval did not count: {string.Join(" | ", said)}");
        }

        await using var after = portal.Factory.Services.GetRequiredService<IDbContextFactory<LockboxDbContext>>().CreateDbContext();
        var request = await after.AccessRequests.SingleAsync(r => r.Reference == reference);
        Assert.Equal(RequestStatus.Approved, request.Status);
        var signed = Assert.Single(await after.SignedDecisions.AsNoTracking().Where(s => s.AccessRequestId == request.Id).ToListAsync());
        Assert.Equal((DecisionStatement.Approve, "localhost", LockboxPortal.Common.WebAuthnAssertion.Es256), (signed.Outcome, signed.RpId, signed.Algorithm));
        Assert.StartsWith("http://localhost:", signed.Origin, StringComparison.Ordinal);
        var verified = await portal.Factory.Services.GetRequiredService<SignedDecisionVerifier>().VerifyAsync(DemoData.ContosoId);
        Assert.True(verified.IsIntact, verified.ToString());
    }
}
