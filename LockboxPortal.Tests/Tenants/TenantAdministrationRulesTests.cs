using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Grants;
using LockboxPortal.Features.Tenants;

namespace LockboxPortal.Tests.Tenants;

/// <summary>The entity rules of this feature: a deactivated tenant's requests, invitations, tokens, names.</summary>
public sealed class TenantAdministrationRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly Actor Engineer = new("engineer", "Erin");
    private static readonly Actor Manager = new("manager", "Mia");
    private static readonly Actor Approver = new("approver", "Alex");
    private static readonly Actor Admin = new("admin", "Ada");
    private static readonly Guid TenantId = Guid.NewGuid();

    public enum Stage
    {
        PendingInternal,
        PendingCustomer,
        Approved,
        Rejected,
        Cancelled,
    }

    private static AccessRequest RequestAt(Stage stage)
    {
        var request = AccessRequest.File(Guid.NewGuid(), "LBX-2026-000001", TenantId, Engineer, ResourceScope.Parse("Exchange:mailbox/ana@contoso.com"),
            AccessLevel.Read, "Calendar items vanish after the migration.", null, TimeSpan.FromHours(4), TenantPolicy.Default, Now, reason: RequestReason.Maintenance);
        if (stage is Stage.PendingInternal)
        {
            return request;
        }

        if (stage is Stage.Cancelled)
        {
            request.Cancel(Engineer, Now.AddMinutes(1));
            return request;
        }

        request.ApproveInternal(Manager, null, 1, Now.AddMinutes(1));
        if (stage is Stage.Approved)
        {
            request.ApproveCustomer(Approver, null, null, Now.AddMinutes(2));
        }
        else if (stage is Stage.Rejected)
        {
            request.RejectCustomer(Approver, null, "Not now.", Now.AddMinutes(2));
        }

        return request;
    }

    [Theory]
    [InlineData(Stage.PendingInternal, RequestStatus.Expired)]
    [InlineData(Stage.PendingCustomer, RequestStatus.Expired)]
    [InlineData(Stage.Approved, RequestStatus.Revoked)]
    public void CloseForDeactivatedTenant_ClosesOpenRequests_BeforeTheirDeadlines(Stage stage, RequestStatus expected)
    {
        var request = RequestAt(stage);
        var at = Now.AddMinutes(10);

        request.CloseForDeactivatedTenant(Admin, at);

        Assert.Equal(expected, request.Status);
        Assert.Equal(at, request.ClosedAt);
        Assert.Contains("deactivated by Ada", request.ClosedReason, StringComparison.Ordinal);
        if (stage == Stage.Approved)
        {
            Assert.Equal(at, request.GrantEndsAt);
        }
    }

    [Theory]
    [InlineData(Stage.Rejected)]
    [InlineData(Stage.Cancelled)]
    public void CloseForDeactivatedTenant_OnAFinalRequest_IsRefused(Stage stage)
    {
        var request = RequestAt(stage);

        Assert.Throws<InvalidTransitionException>(() => request.CloseForDeactivatedTenant(Admin, Now.AddMinutes(10)));
    }

    [Fact]
    public void AccessDecision_AfterTheTenantIsDeactivated_RefusesTheGrantByItsStatus()
    {
        var request = RequestAt(Stage.Approved);
        var query = new AccessQuery(TenantId, Engineer.UserId, ResourceScope.Parse("Exchange:mailbox/ana@contoso.com"), AccessLevel.Read);
        Assert.True(AccessDecision.EvaluateOne(query, request, Now.AddMinutes(5)).IsAllowed);

        request.CloseForDeactivatedTenant(Admin, Now.AddMinutes(10));

        Assert.Equal(AccessDecisionReason.GrantRevoked, AccessDecision.EvaluateOne(query, request, Now.AddMinutes(11)).Reason);
    }

    [Fact]
    public void Tenant_Deactivated_CannotBeRenamedOrDeactivatedAgain()
    {
        var tenant = new Tenant(Guid.NewGuid(), "Litware", "litware", Now);
        tenant.Deactivate(Now);

        Assert.False(tenant.IsActive);
        Assert.Throws<TenantInactiveException>(() => tenant.Rename("Litware Inc"));
        Assert.Throws<TenantInactiveException>(() => tenant.Deactivate(Now));
    }

    [Theory]
    [InlineData("litware", "litware")]
    [InlineData(" Litware-2 ", "litware-2")]
    [InlineData("l", null)]
    [InlineData("2litware", null)]
    [InlineData("lit ware", null)]
    [InlineData("<script>", null)]
    public void ShortName_IsLowerCaseLettersDigitsAndHyphens(string input, string? expected) =>
        Assert.Equal(expected, Tenant.CleanShortName(input));

    [Fact]
    public void Invitation_Expired_IsRefused()
    {
        var invitation = NewInvitation();

        var refused = Assert.Throws<InvitationNotUsableException>(() => invitation.Accept("someone", Now + Invitation.Lifetime));
        Assert.Equal(InvitationStatus.Expired, refused.Status);
    }

    [Fact]
    public void Invitation_Revoked_IsRefused()
    {
        var invitation = NewInvitation();
        invitation.Revoke(Admin, Now.AddHours(1));

        var refused = Assert.Throws<InvitationNotUsableException>(() => invitation.Accept("someone", Now.AddHours(2)));
        Assert.Equal(InvitationStatus.Revoked, refused.Status);
    }

    [Fact]
    public void Invitation_UsedTwice_IsRefused()
    {
        var invitation = NewInvitation();
        invitation.Accept("someone", Now.AddHours(1));

        var refused = Assert.Throws<InvitationNotUsableException>(() => invitation.Accept("someone-else", Now.AddHours(2)));
        Assert.Equal(InvitationStatus.Accepted, refused.Status);
        Assert.Throws<InvitationNotUsableException>(() => invitation.Revoke(Admin, Now.AddHours(2)));
    }

    [Fact]
    public void Invitation_ForAProviderRoleOnATenant_IsABug() =>
        Assert.Throws<ArgumentException>(() => new Invitation("hash", "a@b.test", "A", TenantId, PortalRole.ProviderAdmin, Admin, Now));

    [Fact]
    public void SecretToken_StoresOnlyTheHash_AndMatchesOnlyItsToken()
    {
        var (token, hash) = SecretToken.Create();
        var (other, _) = SecretToken.Create();

        Assert.DoesNotContain(token, hash, StringComparison.Ordinal);
        Assert.Equal(64, hash.Length);
        Assert.True(SecretToken.Matches(hash, token));
        Assert.False(SecretToken.Matches(hash, other));
        Assert.False(SecretToken.Matches(hash, ""));
        Assert.False(SecretToken.Matches(hash, null));
    }

    private static Invitation NewInvitation() =>
        new(SecretToken.Create().Hash, "olga@litware.test", "Olga", TenantId, PortalRole.SecurityOfficer, Admin, Now);
}
