using System.Security.Claims;
using Bunit;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.AccessRequests.Pages;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace LockboxPortal.Tests.AccessRequests.Live;

/// <summary>The "New request" form over the real service and a real SQLite file.</summary>
public sealed class NewRequestFormTests : IAsyncLifetime
{
    private ServiceHarness _harness = default!;

    public async Task InitializeAsync() => _harness = await ServiceHarness.CreateAsync();

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task EmptyForm_ShowsAMessagePerField_AndSavesNothing()
    {
        await using var context = CreateContext();
        var cut = context.Render<NewRequest>();

        // On the renderer's dispatcher, so the tenants arriving cannot re-render the form between finding and clicking.
        await cut.InvokeAsync(() => cut.Find("[data-testid=submit]").Click());

        cut.WaitForAssertion(() => Assert.Contains("Choose an active tenant.", cut.Markup, StringComparison.Ordinal));
        Assert.Contains("A justification of 10 to 2000 characters is required.", cut.Markup, StringComparison.Ordinal);
        Assert.Contains(AccessRequest.ReasonRule, cut.Markup, StringComparison.Ordinal);
        Assert.Contains("mud-input-error", cut.Find("[data-testid=scope]").ParentElement!.ParentElement!.OuterHtml, StringComparison.Ordinal);
        Assert.Equal(0, await CountRequestsAsync());
    }

    [Fact]
    public async Task ChosenTenant_ShowsItsMaximum_AndATooShortJustification_IsRefusedWithoutSaving()
    {
        await _harness.SetPolicyAsync(_harness.Contoso, p => p with { MaxGrantDuration = TimeSpan.FromHours(2), DefaultGrantDuration = TimeSpan.FromHours(1) });
        await using var context = CreateContext();
        var cut = RenderWithPopovers(context);

        await ChooseTenantAsync(cut, "Contoso");
        cut.WaitForAssertion(() => Assert.Contains("This tenant allows at most 2 h.", cut.Markup, StringComparison.Ordinal));
        await ChooseAsync(cut, "reason", "Maintenance");

        await cut.InvokeAsync(() => cut.Find("[data-testid=scope] input, input[data-testid=scope]").Change("Exchange:mailbox/ana@contoso.com"));
        await cut.InvokeAsync(() => cut.Find("textarea").Change("too short"));
        await cut.InvokeAsync(() => cut.Find("[data-testid=submit]").Click());

        cut.WaitForAssertion(() => Assert.Contains("A justification of 10 to 2000 characters is required.", cut.Markup, StringComparison.Ordinal));
        Assert.DoesNotContain("Choose an active tenant.", cut.Markup, StringComparison.Ordinal);
        Assert.Equal(0, await CountRequestsAsync());

        await cut.InvokeAsync(() => cut.Find("textarea").Change("Calendar items vanish after the migration."));
        await cut.InvokeAsync(() => cut.Find("[data-testid=submit]").Click());

        cut.WaitForAssertion(() => Assert.EndsWith("/requests/", StripId(context.Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().Uri), StringComparison.Ordinal));
        Assert.Equal(1, await CountRequestsAsync());
    }

    [Fact]
    public async Task AScheduledStart_IsReadInTheViewersZone_AndOneThatIsNoDateOrInThePast_IsToldBesideTheField()
    {
        await using var context = CreateContext();
        var cut = RenderWithPopovers(context);
        await ChooseTenantAsync(cut, "Contoso");
        await ChooseAsync(cut, "reason", "Maintenance");
        await cut.InvokeAsync(() => cut.Find("[data-testid=scope] input, input[data-testid=scope]").Change("Exchange:mailbox/ana@contoso.com"));
        await cut.InvokeAsync(() => cut.Find("textarea").Change("Mailbox migration in tonight's window."));
        var startsAt = () => cut.Find("[data-testid=starts-at] input, input[data-testid=starts-at]");

        await cut.InvokeAsync(() => startsAt().Change("someday"));
        await cut.InvokeAsync(() => cut.Find("[data-testid=submit]").Click());
        cut.WaitForAssertion(() => Assert.Contains("Enter a date and a time, or leave it empty to start at approval.", cut.Markup, StringComparison.Ordinal));

        await cut.InvokeAsync(() => startsAt().Change("2026-03-01T22:00"));
        await cut.InvokeAsync(() => cut.Find("[data-testid=submit]").Click());
        cut.WaitForAssertion(() => Assert.Contains("A scheduled start must be in the future", cut.Markup, StringComparison.Ordinal));
        Assert.Equal(0, await CountRequestsAsync());

        // The harness's clock reads 2026-03-02 09:00 UTC; the viewer's zone is UTC here (no browser to ask).
        await cut.InvokeAsync(() => startsAt().Change("2026-03-03T22:00"));
        await cut.InvokeAsync(() => cut.Find("[data-testid=submit]").Click());

        cut.WaitForAssertion(() => Assert.EndsWith("/requests/", StripId(context.Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().Uri), StringComparison.Ordinal));
        await using var db = _harness.NewContext();
        Assert.Equal(new DateTimeOffset(2026, 3, 3, 22, 0, 0, TimeSpan.Zero), (await db.AccessRequests.SingleAsync()).StartsAt);
    }

    /// <summary>The form with MudBlazor's popover provider, so its selects open.</summary>
    private static IRenderedComponent<Microsoft.AspNetCore.Components.IComponent> RenderWithPopovers(BunitContext context) => context.Render(builder =>
    {
        builder.OpenComponent<MudPopoverProvider>(0);
        builder.CloseComponent();
        builder.OpenComponent<NewRequest>(1);
        builder.CloseComponent();
    });

    private static string StripId(string uri) => uri.Length > 36 ? uri[..^36] : uri;

    private static Task ChooseTenantAsync(IRenderedComponent<Microsoft.AspNetCore.Components.IComponent> cut, string name) =>
        ChooseAsync(cut, "tenant", name);

    private static async Task ChooseAsync(IRenderedComponent<Microsoft.AspNetCore.Components.IComponent> cut, string testId, string name)
    {
        await cut.Find($"[data-testid={testId}]").ParentElement!.ParentElement!.MouseDownAsync(new Microsoft.AspNetCore.Components.Web.MouseEventArgs());
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll(".mud-popover-open .mud-list-item")));
        await cut.InvokeAsync(() => cut.FindAll(".mud-popover-open .mud-list-item").First(e => e.TextContent.Contains(name, StringComparison.Ordinal)).Click());
    }

    private BunitContext CreateContext()
    {
        var context = ComponentTestContext.Create(_harness.Time);
        context.Services.AddSingleton(_harness.Requests);
        var authorization = context.AddAuthorization();
        authorization.SetAuthorized(Cast.Engineer);
        authorization.SetClaims(new Claim(ClaimTypes.NameIdentifier, Cast.Engineer));
        return context;
    }

    private async Task<int> CountRequestsAsync()
    {
        await using var db = _harness.NewContext();
        return await db.AccessRequests.CountAsync();
    }
}
