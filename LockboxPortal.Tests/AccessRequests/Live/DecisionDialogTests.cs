using Bunit;
using LockboxPortal.Common;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.AccessRequests.Components;
using LockboxPortal.Tests.AccessRequests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MudBlazor;

namespace LockboxPortal.Tests.AccessRequests.Live;

public sealed class DecisionDialogTests
{
    private readonly FakeTimeProvider _time = new(RequestBuilder.InternalAt);

    [Fact]
    public async Task Approve_RestatesWhatIsGrantedToWhomForHowLong_AndClosesWithTheOptionalComment()
    {
        await using var context = ComponentTestContext.Create(_time);
        var (provider, dialog) = await OpenAsync(context, approve: true);

        var summary = provider.Find("[data-testid=dialog-summary]").TextContent;
        Assert.Contains("Erin Engineer", summary, StringComparison.Ordinal);
        Assert.Contains("Exchange:mailbox/ana@contoso.com", summary, StringComparison.Ordinal);
        Assert.Contains("Read", summary, StringComparison.Ordinal);
        Assert.Contains("Contoso", summary, StringComparison.Ordinal);
        Assert.Contains("4 h", summary, StringComparison.Ordinal);

        provider.Find("[data-testid=decision-confirm]").Click();

        var result = await dialog.Result.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(result!.Canceled);
        var input = Assert.IsType<DecisionInput>(result.Data);
        Assert.Null(input.Comment);
        Assert.Null(input.Factor);
    }

    [Fact]
    public async Task Approve_ForLessTimeThanRequested_RestatesTheShorterGrant_AndClosesWithIt()
    {
        await using var context = ComponentTestContext.Create(_time);
        var popovers = context.Render<MudPopoverProvider>();
        var (provider, dialog) = await OpenAsync(context, approve: true);
        Assert.Contains("You may allow less, never more.", provider.Markup, StringComparison.Ordinal);

        await provider.Find("[data-testid=decision-duration]").ParentElement!.ParentElement!.MouseDownAsync(new Microsoft.AspNetCore.Components.Web.MouseEventArgs());
        popovers.WaitForAssertion(() => Assert.NotEmpty(popovers.FindAll(".mud-popover-open .mud-list-item")));
        var offered = popovers.FindAll(".mud-popover-open .mud-list-item").Select(i => i.TextContent.Trim()).ToList();
        Assert.Equal(["15 min", "30 min", "1 h", "2 h", "4 h"], offered);
        await popovers.InvokeAsync(() => popovers.FindAll(".mud-popover-open .mud-list-item").First(i => i.TextContent.Trim() == "1 h").Click());

        provider.WaitForAssertion(() => Assert.Contains("for 1 h.", provider.Find("[data-testid=dialog-summary]").TextContent, StringComparison.Ordinal));
        await provider.InvokeAsync(() => provider.Find("[data-testid=decision-confirm]").Click());

        var input = Assert.IsType<DecisionInput>((await dialog.Result.WaitAsync(TimeSpan.FromSeconds(5)))!.Data);
        Assert.Equal(TimeSpan.FromHours(1), input.AllowedDuration);
    }

    [Fact]
    public async Task Approve_ForTheRequestedTime_ClosesWithoutAShorterDuration_AndARejectionOffersNone()
    {
        await using var context = ComponentTestContext.Create(_time);
        var (provider, dialog) = await OpenAsync(context, approve: true);
        await provider.InvokeAsync(() => provider.Find("[data-testid=decision-confirm]").Click());
        Assert.Null(Assert.IsType<DecisionInput>((await dialog.Result.WaitAsync(TimeSpan.FromSeconds(5)))!.Data).AllowedDuration);

        await using var rejecting = ComponentTestContext.Create(_time);
        var (rejection, _) = await OpenAsync(rejecting, approve: false);
        Assert.Empty(rejection.FindAll("[data-testid=decision-duration]"));
    }

    [Fact]
    public async Task Reject_WithoutAReason_StaysOpen_AndSaysAReasonIsNeeded()
    {
        await using var context = ComponentTestContext.Create(_time);
        var (provider, dialog) = await OpenAsync(context, approve: false);

        provider.Find("[data-testid=decision-confirm]").Click();

        provider.WaitForAssertion(() => Assert.Contains("Give a reason", provider.Markup, StringComparison.Ordinal));
        Assert.False(dialog.Result.IsCompleted);
    }

    [Fact]
    public async Task Reject_WithAReason_ClosesWithTheReason()
    {
        await using var context = ComponentTestContext.Create(_time);
        var (provider, dialog) = await OpenAsync(context, approve: false);

        provider.Find("textarea").Change("Not during the quarter close.");
        provider.Find("[data-testid=decision-confirm]").Click();

        var result = await dialog.Result.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(result!.Canceled);
        Assert.Equal("Not during the quarter close.", Assert.IsType<DecisionInput>(result.Data).Comment);
    }

    [Fact]
    public async Task WhereTheTenantAsksForAFreshFactor_ItAsksForTheCode_AndClosesWithIt()
    {
        await using var context = ComponentTestContext.Create(_time);
        var (provider, dialog) = await OpenAsync(context, approve: true, TimeSpan.FromMinutes(5));

        Assert.Contains("proven within 5 min", provider.Markup, StringComparison.Ordinal);
        provider.Find(CodeInput).Input("123 456");
        provider.Find("[data-testid=decision-confirm]").Click();

        var result = await dialog.Result.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("123 456", Assert.IsType<DecisionInput>(result!.Data).Factor?.Totp);
    }

    [Theory]
    [InlineData(true, "approve")]
    [InlineData(false, "reject")]
    public async Task WhereTheTenantAsksForAFreshFactor_ItOffersToSignThisOutcomeWithAPasskey_AndClosesWithTheSignature(bool approve, string outcome)
    {
        await using var context = ComponentTestContext.Create(_time);
        var (provider, dialog) = await OpenAsync(context, approve, TimeSpan.FromMinutes(5));
        var button = provider.FindComponent<Bunit.TestDoubles.Stub<LockboxPortal.Features.AccessRequests.Signing.Components.PasskeySignButton>>();
        Assert.Equal(outcome, button.Instance.Parameters.Get(b => b.Outcome));
        if (!approve)
        {
            provider.Find("textarea").Change("Not during the freeze.");
        }

        Assert.True(button.Instance.Parameters.Get(b => b.Ready)());
        var signed = new FreshFactor(PasskeyAssertion: "{}", SignedAt: _time.GetUtcNow());
        await provider.InvokeAsync(() => button.Instance.Parameters.Get(b => b.Signed).InvokeAsync(signed));

        var result = await dialog.Result.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Same(signed, Assert.IsType<DecisionInput>(result!.Data).Factor);
    }

    [Fact]
    public async Task WhereTheTenantAsksForNone_ThereIsNoCodeField()
    {
        await using var context = ComponentTestContext.Create(_time);
        var (provider, _) = await OpenAsync(context, approve: true);

        Assert.Empty(provider.FindAll("[data-testid=fresh-factor-code]"));
    }

    [Fact]
    public async Task Back_CancelsTheDecision()
    {
        await using var context = ComponentTestContext.Create(_time);
        var (provider, dialog) = await OpenAsync(context, approve: true);

        provider.FindAll("button").Single(b => b.TextContent.Trim() == "Back").Click();

        Assert.True((await dialog.Result.WaitAsync(TimeSpan.FromSeconds(5)))!.Canceled);
    }

    private const string CodeInput = "[data-testid=fresh-factor-code] input, input[data-testid=fresh-factor-code]";

    private static async Task<(IRenderedComponent<MudDialogProvider> Provider, IDialogReference Dialog)> OpenAsync(
        BunitContext context, bool approve, TimeSpan? freshFactorWindow = null)
    {
        var provider = context.Render<MudDialogProvider>();
        var dialogs = context.Services.GetRequiredService<IDialogService>();
        var parameters = new DialogParameters<DecisionDialog>
        {
            { d => d.Row, new RequestRow(RequestBuilder.PendingCustomer(), "Contoso", freshFactorWindow) },
            { d => d.Approve, approve },
        };
        var dialog = await provider.InvokeAsync(() => dialogs.ShowAsync<DecisionDialog>("Decide", parameters));
        provider.WaitForElement("[data-testid=decision-confirm]");
        return (provider, dialog);
    }
}
