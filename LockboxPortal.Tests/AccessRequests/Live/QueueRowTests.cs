using Bunit;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.AccessRequests.Components;
using LockboxPortal.Tests.AccessRequests;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Time.Testing;

namespace LockboxPortal.Tests.AccessRequests.Live;

public sealed class QueueRowTests
{
    private readonly FakeTimeProvider _time = new(RequestBuilder.Deadline - TimeSpan.FromMinutes(2) - TimeSpan.FromSeconds(5));

    [Fact]
    public async Task Countdown_TicksDown_WithTheClock_AndSaysExpired_AtTheDeadline()
    {
        await using var context = ComponentTestContext.Create(_time);
        var elapsed = 0;
        var cut = RenderRow(context, RequestBuilder.PendingCustomer(), onDeadline: () => elapsed++);

        Assert.Equal("2 min 05 s left", cut.Find("[data-testid=countdown]").TextContent);

        _time.Advance(TimeSpan.FromSeconds(1));
        cut.WaitForAssertion(() => Assert.Equal("2 min 04 s left", cut.Find("[data-testid=countdown]").TextContent));

        _time.Advance(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(4));
        cut.WaitForAssertion(() => Assert.Equal("expired", cut.Find("[data-testid=countdown]").TextContent));
        Assert.Equal(1, elapsed);

        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(1, elapsed);
    }

    [Fact]
    public async Task Countdown_ShowsHoursAndMinutes_WhileAnHourOrMoreRemains()
    {
        await using var context = ComponentTestContext.Create(new FakeTimeProvider(RequestBuilder.InternalAt));
        var cut = RenderRow(context, RequestBuilder.PendingCustomer());

        Assert.Equal("11 h 50 min left", cut.Find("[data-testid=countdown]").TextContent);
    }

    [Fact]
    public async Task Approvals_ShowHowManySoFar_OutOfTheNumberRequired_AndByWhom()
    {
        await using var context = ComponentTestContext.Create(_time);
        var request = RequestBuilder.PendingCustomer(requiredApprovals: 3);
        request.ApproveCustomer(RequestBuilder.ApproverA, null, null, RequestBuilder.GrantStart);
        request.ApproveCustomer(RequestBuilder.ApproverB, RequestBuilder.ApproverC, null, RequestBuilder.GrantStart.AddMinutes(1));

        var cut = RenderRow(context, request);

        Assert.Equal("2 of 3", cut.Find("[data-testid=approvals-count]").TextContent.Trim());
        Assert.Equal(
            ["by Ana Approver", "by Ben Approver on behalf of Cat Approver"],
            cut.FindAll("[data-testid=approved-by]").Select(e => e.TextContent.Trim()));
    }

    /// <summary>Finding 8: a bidi override or zero-width space in a justification changed what the approver read.</summary>
    [Fact]
    public async Task Justification_ShowsBidiAndZeroWidthCharacters_Escaped()
    {
        await using var context = ComponentTestContext.Create(_time);
        var request = AccessRequest.File(
            Guid.NewGuid(), "LBX-2026-000002", RequestBuilder.Contoso, RequestBuilder.Requester, ResourceScope.Parse(RequestBuilder.DefaultScope),
            AccessLevel.Read, "Read only the \u202Etxt.exe\u202C file\u200B, nothing else.", null, RequestBuilder.GrantDuration,
            Features.Tenants.TenantPolicy.Default, RequestBuilder.FiledAt, reason: RequestReason.Maintenance);
        request.ApproveInternal(RequestBuilder.Manager, null, 1, RequestBuilder.InternalAt);

        var cut = RenderRow(context, request);

        var shown = cut.Find("[data-testid=justification]").TextContent.Trim();
        Assert.Equal("Read only the \\u202Etxt.exe\\u202C file\\u200B, nothing else.", shown);
        Assert.DoesNotContain('\u202E', shown);
    }

    [Fact]
    public async Task AnotherApproversAction_IsShown_AsJustNow()
    {
        await using var context = ComponentTestContext.Create(_time);
        var request = RequestBuilder.PendingCustomer(requiredApprovals: 2);
        request.ApproveCustomer(RequestBuilder.ApproverB, null, null, _time.GetUtcNow());

        var cut = RenderRow(context, request, new RowActivity("approved", "Ben Approver", _time.GetUtcNow().AddSeconds(-5)));

        Assert.Equal("approved by Ben Approver just now", cut.Find("[data-testid=activity]").TextContent.Trim());
    }

    [Fact]
    public async Task LongJustification_IsShortened_AndExpandsToTheFullText_AsText()
    {
        await using var context = ComponentTestContext.Create(_time);
        var full = "<b>not markup</b> " + new string('x', 200);
        var request = AccessRequest.File(
            Guid.NewGuid(), "LBX-2026-000009", RequestBuilder.Contoso, RequestBuilder.Requester, ResourceScope.Parse(RequestBuilder.DefaultScope),
            AccessLevel.Read, full, null, TimeSpan.FromHours(1), LockboxPortal.Features.Tenants.TenantPolicy.Default, RequestBuilder.FiledAt, reason: RequestReason.Maintenance);
        request.ApproveInternal(RequestBuilder.Manager, null, 1, RequestBuilder.InternalAt);

        var cut = RenderRow(context, request);
        Assert.EndsWith("…", cut.Find("[data-testid=justification]").TextContent.Replace("More", "").Trim(), StringComparison.Ordinal);

        cut.Find("[data-testid=justification-toggle]").Click();

        Assert.Contains(full, cut.Find("[data-testid=justification]").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=justification] b"));
    }

    [Fact]
    public async Task Buttons_ReportApproveAndReject()
    {
        await using var context = ComponentTestContext.Create(_time);
        var clicks = new List<bool>();
        var cut = RenderRow(context, RequestBuilder.PendingCustomer(), onDecide: clicks.Add);

        cut.Find("[data-testid=approve]").Click();
        cut.Find("[data-testid=reject]").Click();

        Assert.Equal([true, false], clicks);
    }

    [Fact]
    public async Task AQueueRow_SaysQuestionOpen_UntilTheEngineerAnswers()
    {
        await using var context = ComponentTestContext.Create(_time);
        var request = RequestBuilder.PendingCustomer();
        var open = RequestQuestion.Ask(request, RequestBuilder.ApproverA, "Is the customer aware?", RequestBuilder.InternalAt);
        var answered = RequestQuestion.Ask(request, RequestBuilder.ApproverB, "Which folders?", RequestBuilder.InternalAt);
        answered.AnswerBy(request, RequestBuilder.Requester, "Inbox.", RequestBuilder.InternalAt.AddMinutes(1));

        var asking = RenderRow(context, request, questions: [open, answered]);
        var settled = RenderRow(context, request, questions: [answered]);

        Assert.Equal("Question open", asking.Find("[data-testid=question-open]").TextContent.Trim());
        Assert.Empty(settled.FindAll("[data-testid=question-open]"));
    }

    private IRenderedComponent<QueueRow> RenderRow(
        BunitContext context, AccessRequest request, RowActivity? activity = null, Action? onDeadline = null, Action<bool>? onDecide = null,
        IReadOnlyList<RequestQuestion>? questions = null)
    {
        var row = new RequestRow(request, "Contoso") { Questions = questions ?? [] };
        var host = context.Render(builder =>
        {
            builder.OpenElement(0, "table");
            builder.OpenElement(1, "tbody");
            builder.OpenElement(2, "tr");
            builder.OpenComponent<QueueRow>(3);
            builder.AddComponentParameter(4, nameof(QueueRow.Row), row);
            builder.AddComponentParameter(5, nameof(QueueRow.Stage), DecisionStage.Customer);
            builder.AddComponentParameter(6, nameof(QueueRow.Activity), activity);
            builder.AddComponentParameter(7, nameof(QueueRow.OnDeadline), EventCallback.Factory.Create(this, () => onDeadline?.Invoke()));
            builder.AddComponentParameter(8, nameof(QueueRow.OnDecide), EventCallback.Factory.Create<bool>(this, approve => onDecide?.Invoke(approve)));
            builder.CloseComponent();
            builder.CloseElement();
            builder.CloseElement();
            builder.CloseElement();
        });
        return host.FindComponent<QueueRow>();
    }
}
