using System.Security.Claims;
using Bunit;
using LockboxPortal.Features.ApiTokens;
using LockboxPortal.Features.ApiTokens.Pages;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace LockboxPortal.Tests.ApiTokens;

/// <summary>The API tokens page: the secret is shown once, names are shown as text, a token can be revoked.</summary>
public sealed class ApiTokenPageTests
{
    private static BunitContext Context(ServiceHarness harness, string userId)
    {
        var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        context.Services.AddScoped<ViewerTimeZone>();
        context.Services.AddScoped(_ => harness.Services.GetRequiredService<ApiTokenService>());
        context.Services.AddSingleton<TimeProvider>(harness.Time);
        context.AddAuthorization().SetAuthorized(userId).SetClaims(new Claim(ClaimTypes.NameIdentifier, userId));
        return context;
    }

    [Fact]
    public async Task CreatingAToken_ShowsItOnce_AsText_AndRevokeEndsIt()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await using var context = Context(harness, Cast.Engineer);

        var page = context.Render<ApiTokensPage>();
        // On the renderer's dispatcher: the list arriving cannot re-render the page between finding and acting.
        await page.InvokeAsync(() => page.FindAll("input")[0].Change("<b>ci</b>"));
        await page.InvokeAsync(() => page.Find("button[data-testid=create-token]").Click());

        page.WaitForAssertion(() => Assert.StartsWith(ApiToken.PersonalPrefix, page.Find("[data-testid=new-token-value]").TextContent.Trim()));
        // The new token's value is shown as soon as it is made; the list is read again after it, so wait for it too.
        page.WaitForAssertion(() => Assert.Contains("&lt;b&gt;ci&lt;/b&gt;", page.Find("[data-testid=tokens]").InnerHtml));
        Assert.DoesNotContain("<b>ci</b>", page.Markup);

        var again = context.Render<ApiTokensPage>();
        again.WaitForAssertion(() => Assert.Contains("&lt;b&gt;ci&lt;/b&gt;", again.Find("[data-testid=tokens]").InnerHtml));
        Assert.Empty(again.FindAll("[data-testid=new-token]"));

        await again.InvokeAsync(() => again.Find("button[data-testid=revoke-token]").Click());
        again.WaitForAssertion(() => Assert.Contains("Revoked", again.Find("[data-testid=tokens]").TextContent));
    }

    [Fact]
    public async Task ServiceClientsPage_CreatesAClientForTheProviderAdmin()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await using var context = Context(harness, Cast.Admin);

        var page = context.Render<ServiceClientsPage>();
        await page.InvokeAsync(() => page.FindAll("input")[0].Change("mail data plane"));
        await page.InvokeAsync(() => page.Find("button[data-testid=create-token]").Click());

        page.WaitForAssertion(() => Assert.StartsWith(ApiToken.ClientPrefix, page.Find("[data-testid=new-token-value]").TextContent.Trim()));

        // The list reads again after the new value shows; wait for that render too.
        page.WaitForAssertion(() => Assert.Contains("mail data plane", page.Find("[data-testid=tokens]").TextContent));
    }
}
