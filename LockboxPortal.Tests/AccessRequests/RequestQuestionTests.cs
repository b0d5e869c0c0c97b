using LockboxPortal.Authorization;
using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Approvers;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.AccessRequests;

/// <summary>
/// An approver who may decide the request's current stage asks its engineer a question; the engineer answers once.
/// The exchange is seen by whoever may see the request and nobody else, stays on the timeline and in the trail, and
/// never moves the pending deadline. Who may ask and answer, person by person, is in
/// <see cref="RequestServiceAuthorizationMatrixTests"/>.
/// </summary>
public sealed class RequestQuestionTests
{
    [Fact]
    public async Task TheManagerAsksAtTheInternalStage_TheEngineerAnswers_AndTheDeadlineAndStateStay()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var filed = await harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput());
        harness.Time.Advance(TimeSpan.FromMinutes(5));

        var asked = await harness.Requests.AskAsync(ServiceHarness.Manager, filed.Id, "  Which calendar items are missing?  ");
        harness.Time.Advance(TimeSpan.FromMinutes(3));
        var answered = await harness.Requests.AnswerAsync(ServiceHarness.Engineer, filed.Id, asked.Id, "The recurring meetings since Monday.");

        Assert.Equal((DecisionStage.Internal, Cast.Manager, "Which calendar items are missing?"), (asked.Stage, asked.AskerId, asked.Text));
        Assert.Equal(ServiceHarness.Start.AddMinutes(5), asked.AskedAt);
        Assert.Equal((Cast.Engineer, "The recurring meetings since Monday.", ServiceHarness.Start.AddMinutes(8)),
            (answered.AnswererId, answered.Answer, answered.AnsweredAt));
        await using var db = harness.NewContext();
        var stored = await db.AccessRequests.SingleAsync(r => r.Id == filed.Id);
        Assert.Equal((RequestStatus.PendingInternal, filed.ExpiresAt, filed.Version), (stored.Status, stored.ExpiresAt, stored.Version));

        var row = await harness.Requests.GetAsync(ServiceHarness.Engineer, filed.Id);
        var shown = Assert.Single(row!.Questions);
        Assert.Equal((asked.Id, "The recurring meetings since Monday."), (shown.Id, shown.Answer));
        Assert.Equal(0, row.OpenQuestions);

        var trail = await harness.AuditAsync(filed.Id);
        var askedEntry = Assert.Single(trail, e => e.EventType == AuditEventType.AccessRequest_QuestionAsked);
        var answeredEntry = Assert.Single(trail, e => e.EventType == AuditEventType.AccessRequest_QuestionAnswered);
        Assert.Equal((Cast.Manager, Cast.Engineer), (askedEntry.ActorId, answeredEntry.ActorId));
        Assert.Contains(asked.Id.ToString(), answeredEntry.DetailsJson, StringComparison.Ordinal);

        var timeline = (await harness.Services.GetRequiredService<AuditService>().RequestTimelineAsync(ServiceHarness.Approver1, filed.Id))!
            .Select(RequestHistoryItem.From).ToList();
        Assert.Contains(timeline, i => i.Text == $"Question from {Cast.Manager}" && i.Comment == "Which calendar items are missing?");
        Assert.Contains(timeline, i => i.Text == $"Answered by {Cast.Engineer}" && i.Comment == "The recurring meetings since Monday.");
    }

    [Theory]
    [InlineData(Cast.Approver1)]
    [InlineData(Cast.ContosoAdminNotApprover)] // an active delegate of Approver1
    public async Task AtTheCustomerStage_AnApproverOrAnActiveDelegateAsks(string who)
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await harness.Delegations.CreateDelegationAsync(ServiceHarness.Approver1,
            new DelegationInput(harness.Contoso, null, Cast.ContosoAdminNotApprover, null, ServiceHarness.Start.AddDays(3), "Away on holiday."));
        var pending = await harness.PendingCustomerAsync();

        var asked = await harness.Requests.AskAsync(ServiceHarness.As(who), pending.Id, "Is the customer aware of this?");

        Assert.Equal((DecisionStage.Customer, who), (asked.Stage, asked.AskerId));
        await using var db = harness.NewContext();
        var stored = await db.AccessRequests.SingleAsync(r => r.Id == pending.Id);
        Assert.Equal((RequestStatus.PendingCustomer, pending.ExpiresAt), (stored.Status, stored.ExpiresAt));
        Assert.Equal(1, (await harness.Requests.GetAsync(ServiceHarness.Engineer, pending.Id))!.OpenQuestions);
    }

    [Fact]
    public async Task TheExchange_IsSeenByEveryoneWhoMaySeeTheRequest_AndByNobodyElse()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await harness.AddOperatorAsync(); // everyone in the matrices' cast, the operator of both tenants included
        var pending = await harness.PendingCustomerAsync();
        var asked = await harness.Requests.AskAsync(ServiceHarness.Approver1, pending.Id, "Is the customer aware of this?");
        await harness.Requests.AnswerAsync(ServiceHarness.Engineer, pending.Id, asked.Id, "Yes, ticket SR-1.");

        await using var db = harness.NewContext();
        var request = await db.AccessRequests.AsNoTracking().SingleAsync(r => r.Id == pending.Id);
        var timelines = harness.Services.GetRequiredService<AuditService>();
        foreach (var who in ServiceMatrix.People.Where(p => p != ServiceMatrix.Anonymous))
        {
            var user = await ActingUser.LoadAsync(db, ServiceHarness.As(who), CancellationToken.None);
            var maySee = RequestAuthorizationHandler.IsAllowed(RequestOperations.View, new RequestResource(request, user, ApprovalAuthority.None));

            var row = await harness.Requests.GetAsync(ServiceHarness.As(who), pending.Id);
            var listed = (await harness.Requests.ListVisibleAsync(ServiceHarness.As(who), new RequestListFilter(null, null, null, 0, 50))).Rows;
            var timeline = await timelines.RequestTimelineAsync(ServiceHarness.As(who), pending.Id);

            Assert.Equal(maySee ? "Yes, ticket SR-1." : null, row?.Questions.Single().Answer);
            Assert.Equal(maySee ? 1 : 0, listed.Sum(r => r.Questions.Count));
            Assert.Equal(maySee ? 2 : 0, timeline?.Count(e => e.EventType is AuditEventType.AccessRequest_QuestionAsked or AuditEventType.AccessRequest_QuestionAnswered) ?? 0);
        }
    }

    [Fact]
    public async Task AskingAndAnswering_RaiseRequestEvents_ThatTheOtherPartysPageHears()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var filed = await harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput());
        var heard = new List<RequestEvent>();
        using var subscription = harness.Notifier.Subscribe(change =>
        {
            lock (heard)
            {
                heard.Add(change);
            }

            return Task.CompletedTask;
        });

        var asked = await harness.Requests.AskAsync(ServiceHarness.Manager, filed.Id, "Why read access to the whole mailbox?");
        await harness.Requests.AnswerAsync(ServiceHarness.Engineer, filed.Id, asked.Id, "The items vanish from several folders.");

        lock (heard)
        {
            Assert.Equal([RequestEventKind.QuestionAsked, RequestEventKind.QuestionAnswered], heard.Where(e => e.RequestId == filed.Id).Select(e => e.Kind));
            Assert.All(heard, e => Assert.Equal((harness.Contoso, Cast.Engineer, RequestStatus.PendingInternal), (e.TenantId, e.RequesterId, e.Status)));
        }
    }

    public static TheoryData<string> Closings => new() { "Cancelled", "Denied", "Rejected", "Approved", "PastTheDeadline", "Expired" };

    [Theory]
    [MemberData(nameof(Closings))]
    public async Task AClosedRequest_TakesNoQuestions_AndNoAnswers(string closing)
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var pending = await harness.PendingCustomerAsync();
        var open = await harness.Requests.AskAsync(ServiceHarness.Approver1, pending.Id, "Is the customer aware of this?");
        switch (closing)
        {
            case "Cancelled":
                await harness.Requests.CancelAsync(ServiceHarness.Engineer, pending.Id);
                break;
            case "Denied":
                // Denied at the provider's stage: a request of its own, asked about by the manager.
                pending = await harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput());
                open = await harness.Requests.AskAsync(ServiceHarness.Manager, pending.Id, "Which folders?");
                await harness.Requests.DecideInternalAsync(ServiceHarness.Manager, pending.Id, approve: false, "Not covered by the contract.");
                break;
            case "Rejected":
                await harness.Requests.DecideCustomerAsync(ServiceHarness.Approver2, pending.Id, approve: false, "Not during the audit.");
                break;
            case "Approved":
                await harness.Requests.DecideCustomerAsync(ServiceHarness.Approver2, pending.Id, approve: true, "ok");
                break;
            case "PastTheDeadline":
                harness.Time.Advance(pending.ExpiresAt - harness.Time.GetUtcNow());
                break;
            case "Expired":
                harness.Time.Advance(pending.ExpiresAt - harness.Time.GetUtcNow());
                await harness.Timer.RunOnceAsync(pending.ExpiresAt);
                break;
        }

        var before = await QuestionsAsync(harness);
        var asker = closing == "Denied" ? ServiceHarness.Manager : ServiceHarness.Approver1;

        var ask = await Assert.ThrowsAnyAsync<LockboxRuleException>(() => harness.Requests.AskAsync(asker, pending.Id, "One more thing?"));
        var answer = await Assert.ThrowsAnyAsync<LockboxRuleException>(() => harness.Requests.AnswerAsync(ServiceHarness.Engineer, pending.Id, open.Id, "Too late."));

        var expected = closing == "PastTheDeadline" ? "deadline-passed" : "questions-closed";
        Assert.Equal((expected, expected), (ask.Code, answer.Code));
        Assert.Equal(before, await QuestionsAsync(harness));
        Assert.DoesNotContain(await harness.AuditAsync(pending.Id), e => e.EventType == AuditEventType.AccessRequest_QuestionAnswered);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   \n\t ")]
    [InlineData("too long")]
    public async Task EmptyOrTooLongText_IsRefusedWithAMessage_AndStoresNothing(string? text)
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var filed = await harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput());
        var open = await harness.Requests.AskAsync(ServiceHarness.Manager, filed.Id, "Which folders?");
        var typed = text == "too long" ? new string('q', RequestQuestion.TextMaxLength + 1) : text;
        var before = await QuestionsAsync(harness);
        var trail = (await harness.AuditAsync()).Count;

        var ask = await Assert.ThrowsAsync<InvalidInputException>(() => harness.Requests.AskAsync(ServiceHarness.Manager, filed.Id, typed));
        var answer = await Assert.ThrowsAsync<InvalidInputException>(() => harness.Requests.AnswerAsync(ServiceHarness.Engineer, filed.Id, open.Id, typed));

        Assert.Equal("Write a question of 1 to 2000 characters.", Assert.Single(ask.Errors[nameof(RequestQuestion.Text)]));
        Assert.Equal("Write an answer of 1 to 2000 characters.", Assert.Single(answer.Errors[nameof(RequestQuestion.Text)]));
        Assert.Equal(before, await QuestionsAsync(harness));
        Assert.Equal(trail, (await harness.AuditAsync()).Count);
    }

    [Fact]
    public async Task TextAtTheLimit_IsKeptWhole_AndMarkupStaysText()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var filed = await harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput());
        var longest = "<b>" + new string('q', RequestQuestion.TextMaxLength - 3);

        var asked = await harness.Requests.AskAsync(ServiceHarness.Manager, filed.Id, longest);

        var stored = (await harness.Requests.GetAsync(ServiceHarness.Manager, filed.Id))!.Questions.Single();
        Assert.Equal((longest, longest), (asked.Text, stored.Text));
    }

    [Fact]
    public async Task AnsweringTwice_OrAnUnknownQuestion_OrAnotherRequestsQuestion_IsRefused_AndKeepsTheFirstAnswer()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var filed = await harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput());
        var other = await harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput());
        var asked = await harness.Requests.AskAsync(ServiceHarness.Manager, filed.Id, "Which folders?");
        var elsewhere = await harness.Requests.AskAsync(ServiceHarness.Manager, other.Id, "Which folders there?");
        await harness.Requests.AnswerAsync(ServiceHarness.Engineer, filed.Id, asked.Id, "Inbox and Calendar.");

        var twice = await Assert.ThrowsAsync<QuestionAlreadyAnsweredException>(() =>
            harness.Requests.AnswerAsync(ServiceHarness.Engineer, filed.Id, asked.Id, "Everything, actually."));
        var unknown = await Assert.ThrowsAsync<NotFoundException>(() =>
            harness.Requests.AnswerAsync(ServiceHarness.Engineer, filed.Id, Guid.NewGuid(), "Inbox."));
        var crossed = await Assert.ThrowsAsync<NotFoundException>(() =>
            harness.Requests.AnswerAsync(ServiceHarness.Engineer, filed.Id, elsewhere.Id, "Inbox."));

        Assert.Equal("already-answered", twice.Code);
        Assert.Equal(("No such question.", "No such question."), (unknown.Message, crossed.Message));
        var questions = await QuestionsAsync(harness);
        Assert.Contains($"{asked.Id} Inbox and Calendar.", questions);
        Assert.Contains($"{elsewhere.Id} ", questions);
        Assert.Single(await harness.AuditAsync(filed.Id), e => e.EventType == AuditEventType.AccessRequest_QuestionAnswered);
    }

    [Fact]
    public async Task AnotherTenantsApprover_NeitherAsksNorLearnsTheRequestExists()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var pending = await harness.PendingCustomerAsync();

        var hidden = await Assert.ThrowsAsync<NotFoundException>(() => harness.Requests.AskAsync(ServiceHarness.NorthwindApprover, pending.Id, "Hello?"));
        var missing = await Assert.ThrowsAsync<NotFoundException>(() => harness.Requests.AskAsync(ServiceHarness.NorthwindApprover, Guid.NewGuid(), "Hello?"));

        Assert.Equal(missing.Message, hidden.Message);
        Assert.Empty(await QuestionsAsync(harness));
        var refused = Assert.Single(await harness.AuditAsync(pending.Id), e => e.EventType == AuditEventType.Operation_Refused);
        Assert.Equal((Cast.NorthwindApprover, harness.Contoso), (refused.ActorId, refused.TenantId));
    }

    /// <summary>
    /// A decision lands between the ask's (or the answer's) read of the request and its commit. On PostgreSQL it
    /// commits first, so the question's write finds the request changed, runs again and is refused because the request
    /// is decided; on SQLite writers take turns from their first read, so the question goes first and the decision
    /// after it. Either way the decision stands and no question or answer follows it on a decided request.
    /// </summary>
    [Theory]
    [InlineData("ask")]
    [InlineData("answer")]
    public async Task ADecisionLandingAtTheSameMoment_StandsAndIsNeverFollowedByTheExchange(string operation)
    {
        Action? midway = null;
        await using var harness = await ServiceHarness.CreateAsync(services => MidwayFactory.Install(services, () => Interlocked.Exchange(ref midway, null)));
        var pending = await harness.PendingCustomerAsync();
        var open = operation == "answer" ? await harness.Requests.AskAsync(ServiceHarness.Approver1, pending.Id, "Which folders?") : null;
        Task? decision = null;
        midway = () =>
        {
            using (ExecutionContext.SuppressFlow())
            {
                decision = Task.Run(() => harness.Requests.DecideCustomerAsync(ServiceHarness.Approver2, pending.Id, approve: true, "ok"));
            }

            if (TestDatabase.IsPostgres)
            {
                decision.GetAwaiter().GetResult();
            }
        };

        var refused = await Record.ExceptionAsync(() => operation == "ask"
            ? harness.Requests.AskAsync(ServiceHarness.Approver1, pending.Id, "Is the customer aware of this?")
            : harness.Requests.AnswerAsync(ServiceHarness.Engineer, pending.Id, open!.Id, "Yes, ticket SR-1."));
        Assert.NotNull(decision);
        await decision;

        await using var db = harness.NewContext();
        Assert.Equal(RequestStatus.Approved, (await db.AccessRequests.SingleAsync(r => r.Id == pending.Id)).Status);
        var trail = await harness.AuditAsync(pending.Id);
        var approved = Assert.Single(trail, e => e.EventType == AuditEventType.AccessRequest_CustomerApproved);
        var exchanged = trail.Where(e => e.EventType is AuditEventType.AccessRequest_QuestionAsked or AuditEventType.AccessRequest_QuestionAnswered).ToList();
        Assert.All(exchanged, e => Assert.True(e.Sequence < approved.Sequence, $"{e.EventType} follows the approval"));
        var questions = await db.RequestQuestions.AsNoTracking().ToListAsync();
        if (TestDatabase.IsPostgres)
        {
            Assert.Equal("questions-closed", Assert.IsType<QuestionsClosedException>(refused).Code);
            Assert.Equal(operation == "ask" ? 0 : 1, questions.Count);
            Assert.All(questions, q => Assert.False(q.IsAnswered));
        }
        else
        {
            Assert.Null(refused);
            Assert.Equal(operation == "ask" ? 1 : 2, exchanged.Count);
        }
    }

    /// <summary>Handler level: who may ask, by the stage the request is at (the matrix runs each on the services).</summary>
    [Theory]
    [InlineData(RequestStatus.PendingInternal, "manager", true)]
    [InlineData(RequestStatus.PendingInternal, "approver", false)]
    [InlineData(RequestStatus.PendingCustomer, "manager", false)]
    [InlineData(RequestStatus.PendingCustomer, "approver", true)]
    [InlineData(RequestStatus.PendingCustomer, "delegate", true)]
    [InlineData(RequestStatus.PendingCustomer, "admin", false)]
    [InlineData(RequestStatus.PendingCustomer, "officer", false)]
    [InlineData(RequestStatus.PendingCustomer, "requester-manager", false)]
    [InlineData(RequestStatus.Approved, "manager", true)]
    [InlineData(RequestStatus.Approved, "approver", true)]
    [InlineData(RequestStatus.Approved, "officer", false)]
    public void MayAsk_FollowsTheStageTheRequestIsAt(RequestStatus status, string who, bool expected)
    {
        var request = RequestBuilder.InState(status);
        var (id, roles, authority) = who switch
        {
            "manager" => ("manager", new[] { (Tenant: (Guid?)null, Role: PortalRole.EngineeringManager) }, ApprovalAuthority.None),
            "approver" => ("approver", [(RequestBuilder.Contoso, PortalRole.TenantAdmin)], new ApprovalAuthority(true, [])),
            "delegate" => ("delegate", [(RequestBuilder.Contoso, PortalRole.TenantAdmin)], new ApprovalAuthority(false, [RequestBuilder.ApproverA])),
            "admin" => ("admin", [(RequestBuilder.Contoso, PortalRole.TenantAdmin)], ApprovalAuthority.None),
            "officer" => ("officer", [(RequestBuilder.Contoso, PortalRole.SecurityOfficer)], ApprovalAuthority.None),
            "requester-manager" => (RequestBuilder.Requester.UserId, [(null, PortalRole.Engineer), (null, PortalRole.EngineeringManager)], ApprovalAuthority.None),
            _ => throw new ArgumentOutOfRangeException(nameof(who), who, null),
        };
        var user = new ActingUser(new Actor(id, id), new MembershipSet(roles.Select(r => new Membership(id, r.Tenant, r.Role))));

        Assert.Equal(expected, RequestAuthorizationHandler.IsAllowed(RequestOperations.AskQuestion, new RequestResource(request, user, authority)));
    }

    [Theory]
    [InlineData(RequestStatus.PendingInternal, true)]
    [InlineData(RequestStatus.PendingCustomer, true)]
    [InlineData(RequestStatus.Approved, false)]
    [InlineData(RequestStatus.Denied, false)]
    [InlineData(RequestStatus.Rejected, false)]
    [InlineData(RequestStatus.Cancelled, false)]
    [InlineData(RequestStatus.Expired, false)]
    [InlineData(RequestStatus.Completed, false)]
    [InlineData(RequestStatus.Revoked, false)]
    public void Ask_IsOpenOnlyWhileTheRequestAwaitsADecision(RequestStatus status, bool open)
    {
        var request = RequestBuilder.InState(status);
        var at = RequestBuilder.FiledAt.AddMinutes(15);

        var asking = () => RequestQuestion.Ask(request, RequestBuilder.Manager, "Which folders?", at);

        if (open)
        {
            Assert.Equal(request.Id, asking().AccessRequestId);
        }
        else
        {
            Assert.IsType<QuestionsClosedException>(Assert.ThrowsAny<LockboxRuleException>(asking));
        }

        Assert.Throws<OwnRequestQuestionException>(() => RequestQuestion.Ask(RequestBuilder.Filed(), RequestBuilder.Requester, "Me?", at));
    }

    /// <summary>
    /// The harness's context factory, with a hook run once when an operation first takes hold of a question (adds it,
    /// or loads it to answer): after it read the request, before it writes anything.
    /// </summary>
    private sealed class MidwayFactory(IDbContextFactory<LockboxDbContext> inner, Func<Action?> take) : IDbContextFactory<LockboxDbContext>
    {
        public static void Install(IServiceCollection services, Func<Action?> take)
        {
            var registered = services.Last(d => d.ServiceType == typeof(IDbContextFactory<LockboxDbContext>));
            services.Remove(registered);
            services.AddSingleton<IDbContextFactory<LockboxDbContext>>(sp =>
                new MidwayFactory((IDbContextFactory<LockboxDbContext>)ActivatorUtilities.CreateInstance(sp, registered.ImplementationType!), take));
        }

        public LockboxDbContext CreateDbContext()
        {
            var db = inner.CreateDbContext();
            db.ChangeTracker.Tracked += (_, tracked) =>
            {
                if (tracked.Entry.Entity is RequestQuestion)
                {
                    take()?.Invoke();
                }
            };
            return db;
        }
    }

    private static async Task<List<string>> QuestionsAsync(ServiceHarness harness)
    {
        await using var db = harness.NewContext();
        var questions = await db.RequestQuestions.AsNoTracking().OrderBy(q => q.AskedAt).ThenBy(q => q.Id).ToListAsync();
        return questions.Select(q => $"{q.Id} {q.Answer}").ToList();
    }
}
