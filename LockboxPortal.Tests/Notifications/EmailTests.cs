using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Approvers;
using LockboxPortal.Features.Notifications;
using LockboxPortal.Tests.Infrastructure;
using MimeKit;

namespace LockboxPortal.Tests.Notifications;

/// <summary>Who hears what by email, received by a real SMTP server on a local port.</summary>
public sealed class EmailTests
{
    private static readonly string[] ContosoApprovers = [$"{Cast.Approver1}@test", $"{Cast.Approver2}@test", $"{Cast.Approver3}@test"];

    [Fact]
    public async Task ReachingTheCustomerStage_MailsEveryApproverAndActiveDelegate_WithTheFactsAndALink()
    {
        await using var email = await EmailHarness.CreateAsync();
        var harness = email.Services;
        await harness.Delegations.CreateDelegationAsync(ServiceHarness.Approver1,
            new DelegationInput(harness.Contoso, null, Cast.ContosoAdminNotApprover, null, ServiceHarness.Start.AddDays(3), "Away on holiday."));

        var filed = await harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput());
        await email.DispatchAsync();
        Assert.Empty(email.Received("AccessRequest.Filed"));
        await harness.Requests.DecideInternalAsync(ServiceHarness.Manager, filed.Id, approve: true, "ok");
        await email.DispatchAsync();

        var received = email.Received("AccessRequest.InternalApproved");
        Assert.Equal([.. ContosoApprovers, $"{Cast.ContosoAdminNotApprover}@test"], received.Keys.Order());
        var mail = received[$"{Cast.Approver2}@test"];
        Assert.Equal($"{filed.Reference} awaits your approval (Contoso)", mail.Message.Subject);
        Assert.Equal("lockbox@lockbox.test", Assert.IsType<MailboxAddress>(Assert.Single(mail.Message.From)).Address);
        Assert.Equal("multipart/alternative", mail.Message.Body!.ContentType.MimeType);
        foreach (var part in new[] { mail.Text, mail.Html })
        {
            Assert.Contains(filed.Reference, part);
            Assert.Contains(Cast.Engineer, part);
            Assert.Contains("Exchange:mailbox/ana@contoso.com", part);
            Assert.Contains("read", part);
            Assert.Contains("Customer reports missing calendar items.", part);
            Assert.Contains("SR-1", part);
            Assert.Contains(EmailContent.Time(filed.ExpiresAt), part);
            Assert.Contains($"{EmailHarness.PublicUrl}/requests/{filed.Id}", part);
        }

        // No way to decide from the mail: only the request page, which needs a signed-in session.
        Assert.DoesNotContain("approve?", mail.Html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("token", mail.Html, StringComparison.OrdinalIgnoreCase);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(mail.Html, "href="));
    }

    [Fact]
    public async Task UserTypedMarkup_IsEscapedInTheHtmlPart_AndPlainInTheText()
    {
        await using var email = await EmailHarness.CreateAsync();
        var harness = email.Services;
        var input = harness.ValidInput() with { Justification = "<script>alert('x')</script> & <b>urgent</b> fix", TicketReference = "<img src=x>" };

        var filed = await harness.Requests.FileAsync(ServiceHarness.Engineer, input);
        await harness.Requests.DecideInternalAsync(ServiceHarness.Manager, filed.Id, approve: true, "<i>fine</i>");
        await email.DispatchAsync();

        var mail = email.Received("AccessRequest.InternalApproved")[$"{Cast.Approver1}@test"];
        Assert.Contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;urgent&lt;/b&gt; fix", mail.Html);
        Assert.Contains("&lt;img src=x&gt;", mail.Html);
        Assert.DoesNotContain("<script", mail.Html);
        Assert.DoesNotContain("<img", mail.Html);
        Assert.DoesNotContain("<b>", mail.Html);
        Assert.Contains("<script>alert('x')</script> & <b>urgent</b> fix", mail.Text);
    }

    [Fact]
    public async Task AColleaguesDecision_TellsTheOtherApprovers_AndTheRequesterHearsTheOutcome()
    {
        await using var email = await EmailHarness.CreateAsync();
        var harness = email.Services;
        var pending = await harness.PendingCustomerAsync();

        await harness.Requests.DecideCustomerAsync(ServiceHarness.Approver1, pending.Id, approve: true, "go ahead");
        await email.DispatchAsync();

        var colleagues = email.Received("AccessRequest.CustomerApproved");
        Assert.Equal([$"{Cast.Approver2}@test", $"{Cast.Approver3}@test", $"{Cast.Engineer}@test"], colleagues.Keys.Order());
        Assert.Equal($"{pending.Reference} is settled: approved by {Cast.Approver1}", colleagues[$"{Cast.Approver2}@test"].Message.Subject);
        var requester = colleagues[$"{Cast.Engineer}@test"];
        Assert.Equal($"Your request {pending.Reference} was approved", requester.Message.Subject);
        Assert.Contains("go ahead", requester.Text);
    }

    [Fact]
    public async Task AQuestion_ReachesTheRequesterAlone_AndItsAnswer_ReachesTheAskerAlone()
    {
        await using var email = await EmailHarness.CreateAsync();
        var harness = email.Services;
        var pending = await harness.PendingCustomerAsync();
        await email.DispatchAsync();
        var earlier = email.Smtp.Messages.Count;

        var asked = await harness.Requests.AskAsync(ServiceHarness.Approver2, pending.Id, "Is the <b>customer</b> aware?");
        await email.DispatchAsync();

        var question = Assert.Single(email.Received("AccessRequest.QuestionAsked")).Value;
        Assert.Equal($"{Cast.Engineer}@test", question.To);
        Assert.Equal($"{Cast.Approver2} asks about your request {pending.Reference}", question.Message.Subject);
        Assert.Contains("Is the <b>customer</b> aware?", question.Text);
        Assert.Contains("Is the &lt;b&gt;customer&lt;/b&gt; aware?", question.Html);
        Assert.Contains($"{EmailHarness.PublicUrl}/requests/{pending.Id}", question.Text);

        await harness.Requests.AnswerAsync(ServiceHarness.Engineer, pending.Id, asked.Id, "Yes, see SR-42.");
        await email.DispatchAsync();

        var answer = Assert.Single(email.Received("AccessRequest.QuestionAnswered")).Value;
        Assert.Equal($"{Cast.Approver2}@test", answer.To);
        Assert.Equal($"{Cast.Engineer} answered your question about {pending.Reference}", answer.Message.Subject);
        Assert.Contains("Yes, see SR-42.", answer.Text);
        Assert.Equal(earlier + 2, email.Smtp.Messages.Count);
    }

    [Fact]
    public async Task WithAQuorumOfTwo_TheFirstApproval_TellsTheOthersHowFarItIs()
    {
        await using var email = await EmailHarness.CreateAsync();
        var harness = email.Services;
        await harness.SetPolicyAsync(harness.Contoso, p => p with { RequiredApprovals = 2 });
        var pending = await harness.PendingCustomerAsync();

        await harness.Requests.DecideCustomerAsync(ServiceHarness.Approver2, pending.Id, approve: true, null);
        await email.DispatchAsync();

        var told = email.Received("AccessRequest.CustomerApproved");
        Assert.Equal([$"{Cast.Approver1}@test", $"{Cast.Approver3}@test"], told.Keys.Order());
        Assert.Contains("1 of 2 approvals so far", told[$"{Cast.Approver1}@test"].Text);
    }

    [Fact]
    public async Task TheRequester_HearsOfARejectionADenialAnExpiryAndARevoke()
    {
        await using var email = await EmailHarness.CreateAsync();
        var harness = email.Services;
        var rejected = await harness.PendingCustomerAsync();
        await harness.Requests.DecideCustomerAsync(ServiceHarness.Approver1, rejected.Id, approve: false, "not this week");
        var denied = await harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput());
        await harness.Requests.DecideInternalAsync(ServiceHarness.Manager, denied.Id, approve: false, "no ticket");
        var revoked = await harness.ApprovedAsync();
        await harness.Grants.RevokeAsync(ServiceHarness.ContosoOfficer, revoked.Id, "The case is closed.");
        var lapsing = await harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput());
        harness.Time.Advance(TimeSpan.FromDays(1));
        await harness.Grants.ExpireDueAsync(harness.Time.GetUtcNow());
        await email.DispatchAsync();

        var engineer = $"{Cast.Engineer}@test";
        Assert.Contains("not this week", email.Received("AccessRequest.CustomerRejected")[engineer].Text);
        Assert.Equal($"Your request {denied.Reference} was denied", email.Received("AccessRequest.InternalDenied")[engineer].Message.Subject);
        var revokeMail = email.Received("AccessRequest.Revoked")[engineer];
        Assert.Equal($"Your grant for {revoked.Reference} was revoked", revokeMail.Message.Subject);
        Assert.Contains("The case is closed.", revokeMail.Text);
        Assert.Equal($"Your request {lapsing.Reference} expired", email.Received("AccessRequest.Expired")[engineer].Message.Subject);
        Assert.Single(email.Received("AccessRequest.Expired"));
    }

    [Fact]
    public async Task TheRequester_IsToldBeforeTheGrantEnds_AtThatMoment_AndNotOneTickBefore()
    {
        await using var email = await EmailHarness.CreateAsync();
        var harness = email.Services;
        var grant = await harness.ApprovedAsync();
        var notice = grant.GrantEndsAt!.Value - EmailNotices.GrantEndingLead;

        harness.Time.Advance(notice - harness.Time.GetUtcNow() - TimeSpan.FromTicks(1));
        await email.DispatchAsync();
        Assert.Empty(email.Received(EmailNotices.GrantEndingSoon));

        harness.Time.Advance(TimeSpan.FromTicks(1));
        await email.DispatchAsync();
        var mail = Assert.Single(email.Received(EmailNotices.GrantEndingSoon)).Value;
        Assert.Equal($"{Cast.Engineer}@test", mail.To);
        Assert.Equal($"Your grant for {grant.Reference} ends at {EmailContent.Time(grant.GrantEndsAt)}", mail.Message.Subject);
    }

    [Fact]
    public async Task AGrantEndedEarly_SendsNoEndingNotice()
    {
        await using var email = await EmailHarness.CreateAsync();
        var harness = email.Services;
        var grant = await harness.ApprovedAsync();

        await harness.Grants.ReleaseAsync(ServiceHarness.Engineer, grant.Id);
        harness.Time.Advance(TimeSpan.FromHours(5));
        await email.DispatchAsync();

        Assert.Empty(email.Received(EmailNotices.GrantEndingSoon));
        Assert.DoesNotContain(await email.OutboxAsync(), m => m.Type == EmailNotices.GrantEndingSoon);
    }

    [Fact]
    public async Task ADelegate_HearsWhenTheDelegationStarts_AndWhenItEnds()
    {
        await using var email = await EmailHarness.CreateAsync();
        var harness = email.Services;
        var starts = ServiceHarness.Start.AddDays(1);
        var delegation = await harness.Delegations.CreateDelegationAsync(ServiceHarness.Approver1,
            new DelegationInput(harness.Contoso, null, Cast.ContosoAdminNotApprover, starts, starts.AddDays(2), "Parental <leave>"));
        var delegate_ = $"{Cast.ContosoAdminNotApprover}@test";

        harness.Time.Advance(starts - harness.Time.GetUtcNow() - TimeSpan.FromTicks(1));
        await email.DispatchAsync();
        Assert.Empty(email.Received(EmailNotices.DelegationStarted));
        harness.Time.Advance(TimeSpan.FromTicks(1));
        await email.DispatchAsync();
        var started = email.Received(EmailNotices.DelegationStarted)[delegate_];
        Assert.Equal($"You may approve for {Cast.Approver1} in Contoso", started.Message.Subject);
        Assert.Contains("Parental &lt;leave&gt;", started.Html);

        harness.Time.Advance(TimeSpan.FromDays(2));
        await harness.Delegations.EndDueDelegationsAsync(harness.Time.GetUtcNow());
        await email.DispatchAsync();
        var ended = email.Received("Delegation.Ended")[delegate_];
        Assert.Equal($"Your delegation from {Cast.Approver1} in Contoso has ended", ended.Message.Subject);
        Assert.Equal([delegate_, delegate_], email.Smtp.Messages.Select(m => m.To));
        _ = delegation;
    }

    [Fact]
    public async Task ADelegationRevokedBeforeItStarts_SendsNoStartNotice_ButTheEnd()
    {
        await using var email = await EmailHarness.CreateAsync();
        var harness = email.Services;
        var starts = ServiceHarness.Start.AddDays(1);
        var delegation = await harness.Delegations.CreateDelegationAsync(ServiceHarness.Approver1,
            new DelegationInput(harness.Contoso, null, Cast.ContosoAdminNotApprover, starts, starts.AddDays(2), "Conference"));

        await harness.Delegations.RevokeDelegationAsync(ServiceHarness.Approver1, delegation.Id);
        harness.Time.Advance(TimeSpan.FromDays(2));
        await email.DispatchAsync();

        var only = Assert.Single(email.Smtp.Messages);
        Assert.Equal("Delegation.Revoked", only.Message.Headers["X-Lockbox-Event"]);
        Assert.Contains($"revoked by {Cast.Approver1}", only.Text);
    }

    [Fact]
    public async Task WithoutAnSmtpHost_NothingIsWrittenForEmail()
    {
        await using var harness = await ServiceHarness.CreateAsync();

        var grant = await harness.ApprovedAsync();
        await harness.Grants.RevokeAsync(ServiceHarness.Approver1, grant.Id, "Closed.");

        await using var db = harness.NewContext();
        Assert.Empty(db.OutboxMessages);
    }
}
