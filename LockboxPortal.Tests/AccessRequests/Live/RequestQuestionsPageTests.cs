using System.Security.Claims;
using Bunit;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.AccessRequests.Live;
using LockboxPortal.Features.AccessRequests.Pages;
using LockboxPortal.Features.Approvers;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Transparency;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.AccessRequests.Live;

/// <summary>
/// The request page over the real services and a real database: an approver who may decide asks from it, the
/// engineer's open page shows the question as it is asked and takes the answer, and the asker's page shows the
/// answer without a reload. What people typed is shown as text.
/// </summary>
public sealed class RequestQuestionsPageTests : IAsyncLifetime
{
    private ServiceHarness _harness = default!;

    public async Task InitializeAsync() => _harness = await ServiceHarness.CreateAsync();

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task TheEngineersOpenPage_ShowsTheQuestionAsItIsAsked_AsText_AndTakesTheAnswer()
    {
        var filed = await _harness.Requests.FileAsync(ServiceHarness.Engineer, _harness.ValidInput());
        await using var engineer = CreateContext(Cast.Engineer);
        await using var manager = CreateContext(Cast.Manager);
        var engineerPage = RenderPage(engineer, filed.Id);
        var managerPage = RenderPage(manager, filed.Id);
        engineerPage.WaitForAssertion(() => Assert.Equal(filed.Reference, engineerPage.Find("[data-testid=reference]").TextContent));
        managerPage.WaitForAssertion(() => Assert.NotEmpty(managerPage.FindAll("[data-testid=ask-form]")));
        Assert.Empty(engineerPage.FindAll("[data-testid=questions]"));

        await _harness.Requests.AskAsync(ServiceHarness.Manager, filed.Id, "Which <b>folders</b>?\u202E");

        engineerPage.WaitForAssertion(() => Assert.Equal("Which <b>folders</b>?\\u202E", engineerPage.Find("[data-testid=question-text]").TextContent));
        Assert.Empty(engineerPage.FindAll("[data-testid=question-text] b"));
        Assert.Empty(engineerPage.FindAll("[data-testid=ask-form]"));
        await engineerPage.InvokeAsync(() => engineerPage.Find("[data-testid=answer-form] textarea").Change("Inbox and Calendar."));
        await engineerPage.InvokeAsync(() => engineerPage.Find("button[data-testid=answer]").Click());

        engineerPage.WaitForAssertion(() => Assert.Equal("Inbox and Calendar.", engineerPage.Find("[data-testid=answer-text]").TextContent));
        Assert.Empty(engineerPage.FindAll("[data-testid=answer-form]"));
        managerPage.WaitForAssertion(() => Assert.Equal("Inbox and Calendar.", managerPage.Find("[data-testid=answer-text]").TextContent));
        managerPage.WaitForAssertion(() => Assert.Contains(managerPage.FindAll("[data-testid=history-item]"), i => i.TextContent.StartsWith($"Answered by {Cast.Engineer}", StringComparison.Ordinal)));
        await using var db = _harness.NewContext();
        Assert.Equal("Inbox and Calendar.", (await db.RequestQuestions.SingleAsync()).Answer);
    }

    [Fact]
    public async Task AnApproverWhoMayDecide_AsksFromThePage_AndAnEmptyQuestionIsToldBesideTheField()
    {
        var pending = await _harness.PendingCustomerAsync();
        await using var context = CreateContext(Cast.Approver1);
        var page = RenderPage(context, pending.Id);
        page.WaitForAssertion(() => Assert.Equal("Ask the engineer", page.Find("button[data-testid=ask]").TextContent.Trim()));

        await page.InvokeAsync(() => page.Find("button[data-testid=ask]").Click());
        page.WaitForAssertion(() => Assert.Contains("Write a question of 1 to 2000 characters.", page.Find("[data-testid=ask-form]").TextContent, StringComparison.Ordinal));
        Assert.Empty(await QuestionsAsync());

        await page.InvokeAsync(() => page.Find("[data-testid=ask-form] textarea").Change("Is the customer aware of this?"));
        await page.InvokeAsync(() => page.Find("button[data-testid=ask]").Click());

        page.WaitForAssertion(() => Assert.Equal("Is the customer aware of this?", page.Find("[data-testid=question-text]").TextContent));
        Assert.Equal("Waiting for the engineer's answer", page.Find("[data-testid=awaiting-answer]").TextContent.Trim());
        Assert.Empty(page.FindAll("[data-testid=answer-form]"));
        page.WaitForAssertion(() => Assert.Equal("", page.Find("[data-testid=ask-form] textarea").GetAttribute("value") ?? ""));
        page.WaitForAssertion(() => Assert.Contains(page.FindAll("[data-testid=history-item]"), i => i.TextContent.StartsWith($"Question from {Cast.Approver1}", StringComparison.Ordinal)));
        var stored = Assert.Single(await QuestionsAsync());
        Assert.Equal((Cast.Approver1, DecisionStage.Customer), (stored.AskerId, stored.Stage));
    }

    [Fact]
    public async Task TheTimeline_ShowsTheQuestionAndAnswerAsText_WithHiddenCharactersEscaped()
    {
        var filed = await _harness.Requests.FileAsync(ServiceHarness.Engineer, _harness.ValidInput());
        var asked = await _harness.Requests.AskAsync(ServiceHarness.Manager, filed.Id, "<script>alert('q')</script>Which\u200B folders?");
        await _harness.Requests.AnswerAsync(ServiceHarness.Engineer, filed.Id, asked.Id, "<img src=x onerror=alert(1)>Inbox\u202E.");
        await using var context = CreateContext(Cast.Manager);

        var page = RenderPage(context, filed.Id);

        page.WaitForAssertion(() =>
        {
            var comments = page.FindAll("[data-testid=history-comment]").Select(c => c.TextContent).ToList();
            Assert.Contains("<script>alert('q')</script>Which\\u200B folders?", comments);
            Assert.Contains("<img src=x onerror=alert(1)>Inbox\\u202E.", comments);
        });
        Assert.Empty(page.FindAll("[data-testid=request-history] script"));
        Assert.Empty(page.FindAll("[data-testid=request-history] img"));
    }

    [Theory]
    [InlineData(Cast.ContosoOfficer)] // may see the request, may not decide it
    [InlineData(Cast.Manager)] // the provider's stage is behind this request
    [InlineData(Cast.ContosoAdminNotApprover)]
    public async Task WhoMayNotDecideNow_SeesTheQuestions_ButIsNotOfferedToAsk(string who)
    {
        var pending = await _harness.PendingCustomerAsync();
        await _harness.Requests.AskAsync(ServiceHarness.Approver1, pending.Id, "Is the customer aware of this?");
        await using var context = CreateContext(who);

        var page = RenderPage(context, pending.Id);

        page.WaitForAssertion(() => Assert.Equal("Is the customer aware of this?", page.Find("[data-testid=question-text]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=ask-form]"));
        Assert.Empty(page.FindAll("[data-testid=answer-form]"));
    }

    private BunitContext CreateContext(string userId)
    {
        var context = ComponentTestContext.Create(_harness.Time);
        context.Services.AddSingleton(_harness.Requests);
        context.Services.AddSingleton(_harness.Grants);
        context.Services.AddSingleton(_harness.Services.GetRequiredService<AuditService>());
        context.Services.AddSingleton(_harness.Services.GetRequiredService<TransparencyService>());
        context.Services.AddSingleton(_harness.Notifier);
        context.Services.AddSingleton(_harness.Services.GetRequiredService<ApproverNotifier>());
        context.Services.AddSingleton(new CircuitConnection());
        context.AddAuthorization().SetAuthorized(userId).SetClaims(new Claim(ClaimTypes.NameIdentifier, userId));
        return context;
    }

    private static IRenderedComponent<IComponent> RenderPage(BunitContext context, Guid id) => context.Render(builder =>
    {
        builder.OpenComponent<MudBlazor.MudPopoverProvider>(0);
        builder.CloseComponent();
        builder.OpenComponent<RequestDetail>(1);
        builder.AddComponentParameter(2, nameof(RequestDetail.Id), id);
        builder.CloseComponent();
    });

    private async Task<List<RequestQuestion>> QuestionsAsync()
    {
        await using var db = _harness.NewContext();
        return await db.RequestQuestions.AsNoTracking().ToListAsync();
    }
}
