using LockboxPortal.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LockboxPortal.Tests.Webhooks;

/// <summary>The webhooks page in Chromium: one h1, a bad address refused with a message, the secret shown once, the delivery log reachable.</summary>
[Collection(BrowserCollection.Name)]
[Trait(TestPasses.Category, TestPasses.SqliteOnly)]
public sealed class WebhooksPageBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task AnOfficer_AddsAnEndpoint_SeesTheSecretOnce_AndOpensItsDeliveries()
    {
        await using var portal = new LivePortal(browser.Browser);
        var page = await portal.SignInAsync("officer@northwind.test");
        await page.GotoAsync("/webhooks");
        await LivePortal.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.Locator("h1")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Webhooks");

        var url = page.GetByLabel("Endpoint address (https://...)");
        await url.FillAsync("ftp://hooks.example.com/x");
        await page.GetByTestId("add-webhook").ClickAsync();
        await Assertions.Expect(page.GetByText("Enter an absolute http:// or https:// address.")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("webhook-row")).ToHaveCountAsync(0);

        await url.FillAsync("https://hooks.example.com/lockbox");
        await page.GetByTestId("add-webhook").ClickAsync();
        await Assertions.Expect(page.GetByTestId("webhook-secret")).ToContainTextAsync("whsec_");
        await Assertions.Expect(page.GetByTestId("webhook-row")).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByTestId("webhook-row")).ToContainTextAsync("https://hooks.example.com/lockbox");

        // Shown once: the page read again has the endpoint, not its secret.
        await page.ReloadAsync();
        await LivePortal.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.GetByTestId("webhook-row")).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByTestId("webhook-secret")).ToHaveCountAsync(0);

        await page.GetByTestId("webhook-row").GetByText("Deliveries").ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Webhook deliveries");
        await Assertions.Expect(page.GetByTestId("delivery-log")).ToContainTextAsync("Nothing delivered yet.");
    }
}
