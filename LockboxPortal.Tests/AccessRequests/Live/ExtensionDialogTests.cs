using Bunit;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.AccessRequests.Components;
using LockboxPortal.Tests.AccessRequests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MudBlazor;

namespace LockboxPortal.Tests.AccessRequests.Live;

/// <summary>The "Ask for more time" dialog: what it offers (never more than the grant may take), and that it needs a reason.</summary>
public sealed class ExtensionDialogTests
{
    private readonly FakeTimeProvider _time = new(RequestBuilder.GrantStart);

    [Fact]
    public async Task ItOffersUpToWhatTheGrantMayTake_AndClosesWithTheMinutesAndTheReason()
    {
        await using var context = ComponentTestContext.Create(_time);
        var popovers = context.Render<MudPopoverProvider>();
        var (provider, dialog) = await OpenAsync(context, TimeSpan.FromHours(2));
        Assert.Contains("Exchange:mailbox/ana@contoso.com", provider.Find("[data-testid=extension-summary]").TextContent, StringComparison.Ordinal);
        Assert.Equal("Customer-initiated support", provider.Find("[data-testid=extension-reason]").TextContent);
        Assert.Contains("At most 2 h more.", provider.Markup, StringComparison.Ordinal);

        await provider.Find("[data-testid=extension-minutes]").ParentElement!.ParentElement!.MouseDownAsync(new Microsoft.AspNetCore.Components.Web.MouseEventArgs());
        popovers.WaitForAssertion(() => Assert.NotEmpty(popovers.FindAll(".mud-popover-open .mud-list-item")));
        Assert.Equal(["15 min", "30 min", "1 h", "2 h"], popovers.FindAll(".mud-popover-open .mud-list-item").Select(i => i.TextContent.Trim()));
        await popovers.InvokeAsync(() => popovers.FindAll(".mud-popover-open .mud-list-item").First(i => i.TextContent.Trim() == "2 h").Click());
        await provider.InvokeAsync(() => provider.Find("textarea").Input("  The index rebuild needs another run.  "));
        await provider.InvokeAsync(() => provider.Find("[data-testid=extension-confirm]").Click());

        var input = Assert.IsType<ExtensionInput>((await dialog.Result.WaitAsync(TimeSpan.FromSeconds(5)))!.Data);
        Assert.Equal(new ExtensionInput(TimeSpan.FromHours(2), "The index rebuild needs another run."), input);
    }

    [Fact]
    public async Task WithoutAReason_ItStaysOpen_AndSaysOneIsNeeded()
    {
        await using var context = ComponentTestContext.Create(_time);
        var (provider, dialog) = await OpenAsync(context, TimeSpan.FromHours(8));

        await provider.InvokeAsync(() => provider.Find("[data-testid=extension-confirm]").Click());

        provider.WaitForAssertion(() => Assert.Contains("Say why the work needs longer", provider.Markup, StringComparison.Ordinal));
        Assert.False(dialog.Result.IsCompleted);
    }

    private static async Task<(IRenderedComponent<MudDialogProvider> Provider, IDialogReference Dialog)> OpenAsync(BunitContext context, TimeSpan upTo)
    {
        var provider = context.Render<MudDialogProvider>();
        var dialogs = context.Services.GetRequiredService<IDialogService>();
        var parameters = new DialogParameters<ExtensionDialog>
        {
            { d => d.Row, new RequestRow(RequestBuilder.Approved(), "Contoso") },
            { d => d.UpTo, upTo },
        };
        var dialog = await provider.InvokeAsync(() => dialogs.ShowAsync<ExtensionDialog>("Ask for more time", parameters));
        provider.WaitForElement("[data-testid=extension-confirm]");
        return (provider, dialog);
    }
}
