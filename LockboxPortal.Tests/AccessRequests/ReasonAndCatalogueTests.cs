using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using LockboxPortal.Tests.Approvers;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Tests.AccessRequests;

/// <summary>
/// Every request carries a reason code, which the tenant's policy may refuse or ask a higher quorum for; a tenant
/// that turns its scope catalogue on accepts requests only for the scopes, levels and durations it lists.
/// </summary>
public sealed class ReasonAndCatalogueTests
{
    [Fact]
    public async Task ARequestWithoutAReason_IsRefusedWithAMessage_AndNothingIsFiled()
    {
        await using var harness = await ServiceHarness.CreateAsync();

        var refused = await Assert.ThrowsAsync<InvalidInputException>(() =>
            harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput() with { Reason = null }));

        Assert.Equal([AccessRequest.ReasonRule], refused.Errors[nameof(AccessRequest.Reason)]);
        Assert.Equal(0, await CountAsync(harness));
    }

    [Fact]
    public async Task CustomerInitiatedSupport_NeedsTheCustomersCaseNumber()
    {
        await using var harness = await ServiceHarness.CreateAsync();

        var refused = await Assert.ThrowsAsync<InvalidInputException>(() => harness.Requests.FileAsync(
            ServiceHarness.Engineer, harness.ValidInput() with { Reason = RequestReason.CustomerSupport, TicketReference = " " }));
        Assert.Equal(["Customer-initiated support needs the customer's case number."], refused.Errors[nameof(AccessRequest.TicketReference)]);
        Assert.Equal(0, await CountAsync(harness));

        var filed = await harness.Requests.FileAsync(
            ServiceHarness.Engineer, harness.ValidInput() with { Reason = RequestReason.CustomerSupport, TicketReference = "CASE-4711" });
        Assert.Equal((RequestReason.CustomerSupport, "CASE-4711"), (filed.Reason, filed.TicketReference));
        var entry = Assert.Single(await harness.AuditAsync(filed.Id), e => e.EventType == AuditEventType.AccessRequest_Filed);
        Assert.Contains("\"reason\":\"CustomerSupport\"", entry.DetailsJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AReasonThePolicyRefuses_IsRefusedWithAMessage_AndOthersStillFile()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await harness.SetPolicyAsync(harness.Contoso, p => p with { RefusedReasons = RequestReasons.LegalOrRegulatory | RequestReasons.Maintenance });

        var refused = await Assert.ThrowsAsync<InvalidInputException>(() =>
            harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput() with { Reason = RequestReason.LegalOrRegulatory }));

        Assert.Equal(
            ["This tenant does not accept requests for the reason \"Legal or regulatory request\"; it accepts customer-initiated support, provider-initiated incident."],
            refused.Errors[nameof(AccessRequest.Reason)]);
        Assert.Equal(0, await CountAsync(harness));
        var elsewhere = await harness.Requests.FileAsync(
            ServiceHarness.Engineer, harness.ValidInput(harness.Northwind, "Sql:database/orders") with { Reason = RequestReason.LegalOrRegulatory });
        Assert.Equal(RequestReason.LegalOrRegulatory, elsewhere.Reason);
        var accepted = await harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput() with { Reason = RequestReason.ProviderIncident });
        Assert.Equal(RequestReason.ProviderIncident, accepted.Reason);
    }

    [Theory]
    [InlineData(RequestReason.LegalOrRegulatory, 3)]
    [InlineData(RequestReason.CustomerSupport, 1)]
    public async Task AReasonThePolicyNamesStricter_NeedsTheHigherQuorum_FixedAtTheCustomerStage(RequestReason reason, int required)
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await harness.SetPolicyAsync(harness.Contoso, p => p with { StricterReasons = RequestReasons.LegalOrRegulatory, StricterRequiredApprovals = 3 });
        var filed = await harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput() with { Reason = reason });

        var pending = await harness.Requests.DecideAsync(ServiceHarness.Manager, filed.Id, approve: true, "ok");

        Assert.Equal(required, pending.RequiredApprovals);
        var afterOne = await harness.Requests.DecideCustomerAsync(ServiceHarness.Approver1, filed.Id, approve: true, "ok");
        Assert.Equal(required == 1 ? RequestStatus.Approved : RequestStatus.PendingCustomer, afterOne.Status);
    }

    [Theory]
    [InlineData(RequestReasons.All, 1, 2, nameof(Features.Tenants.TenantPolicy.RefusedReasons))]
    [InlineData(RequestReasons.None, 2, 2, nameof(Features.Tenants.TenantPolicy.StricterRequiredApprovals))]
    [InlineData(RequestReasons.None, 1, 4, nameof(Features.Tenants.TenantPolicy.StricterRequiredApprovals))]
    public async Task AReasonPolicyThatCouldNotWork_IsRefusedAtSaving(RequestReasons refused, int quorum, int stricter, string field)
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var policy = Features.Tenants.TenantPolicy.Default with
        {
            RefusedReasons = refused, RequiredApprovals = quorum, StricterReasons = RequestReasons.Maintenance, StricterRequiredApprovals = stricter,
        };

        var error = await Assert.ThrowsAsync<InvalidInputException>(() =>
            harness.ApproverList.ChangePolicyAsync(ServiceHarness.ContosoOfficer, harness.Contoso, policy));

        Assert.Contains(field, error.Errors.Keys);
        Assert.Empty(await harness.AuditOfTypeAsync(AuditEventType.Policy_Changed));
    }

    [Fact]
    public async Task WithTheCatalogueOn_AFilingOutsideItIsRefused_AndOneInsideIsAccepted()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await harness.ApproverList.AddCatalogueEntryAsync(ServiceHarness.ContosoOfficer, harness.Contoso, "Exchange:mailbox/*", AccessLevel.Read, TimeSpan.FromHours(2));
        await harness.ApproverList.AddCatalogueEntryAsync(ServiceHarness.ContosoOfficer, harness.Contoso, "Sql:*", AccessLevel.ReadWrite, TimeSpan.FromHours(4));

        // Listed but not enforced: any scope still files.
        await harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput(scope: "SharePoint:site/hr") with { Duration = TimeSpan.FromHours(1) });
        await harness.ApproverList.ChangePolicyAsync(ServiceHarness.ContosoOfficer, harness.Contoso,
            (await harness.PolicyOfAsync(harness.Contoso)) with { RequireCatalogue = true });

        var outside = await Assert.ThrowsAsync<InvalidInputException>(() => harness.Requests.FileAsync(
            ServiceHarness.Engineer, harness.ValidInput(scope: "SharePoint:site/hr") with { Duration = TimeSpan.FromHours(1) }));
        Assert.Equal(["This tenant accepts requests only for scopes in its catalogue: Exchange:mailbox/*, Sql:*."], outside.Errors[nameof(AccessRequest.Scope)]);
        var writing = await Assert.ThrowsAsync<InvalidInputException>(() => harness.Requests.FileAsync(
            ServiceHarness.Engineer, harness.ValidInput(level: AccessLevel.ReadWrite) with { Duration = TimeSpan.FromHours(1) }));
        Assert.Equal(["The catalogue allows only read access to this scope."], writing.Errors[nameof(AccessRequest.AccessLevel)]);
        var tooLong = await Assert.ThrowsAsync<InvalidInputException>(() => harness.Requests.FileAsync(
            ServiceHarness.Engineer, harness.ValidInput() with { Duration = TimeSpan.FromHours(3) }));
        Assert.Equal(["The catalogue allows at most 2 h for this scope."], tooLong.Errors[nameof(AccessRequest.RequestedDuration)]);
        var parentOnly = await Assert.ThrowsAsync<InvalidInputException>(() => harness.Requests.FileAsync(
            ServiceHarness.Engineer, harness.ValidInput(scope: "Exchange:mailbox") with { Duration = TimeSpan.FromHours(1) }));
        Assert.Contains(nameof(AccessRequest.Scope), parentOnly.Errors.Keys);
        Assert.Equal(1, await CountAsync(harness));

        var inside = await harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput() with { Duration = TimeSpan.FromHours(2) });
        var database = await harness.Requests.FileAsync(
            ServiceHarness.Engineer, harness.ValidInput(scope: "Sql:database/orders", level: AccessLevel.ReadWrite) with { Duration = TimeSpan.FromHours(4) });
        Assert.Equal(("Exchange:mailbox/ana@contoso.com", "Sql:database/orders"), (inside.Scope, database.Scope));
        Assert.Equal(3, await CountAsync(harness));

        var offered = Assert.Single(await harness.Requests.ListFileableTenantsAsync(ServiceHarness.Engineer), t => t.Id == harness.Contoso);
        Assert.Equal(["Exchange:mailbox/*", "Sql:*"], offered.Catalogue!.Select(e => e.Pattern));
        Assert.Null(Assert.Single(await harness.Requests.ListFileableTenantsAsync(ServiceHarness.Engineer), t => t.Id == harness.Northwind).Catalogue);
    }

    [Fact]
    public async Task TheCatalogue_CannotBeRequiredEmpty_NorLoseItsLastScopeWhileRequired_AndEachChangeIsAudited()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var on = (await harness.PolicyOfAsync(harness.Contoso)) with { RequireCatalogue = true };

        var empty = await Assert.ThrowsAsync<InvalidInputException>(() => harness.ApproverList.ChangePolicyAsync(ServiceHarness.ContosoOfficer, harness.Contoso, on));
        Assert.Contains(nameof(Features.Tenants.TenantPolicy.RequireCatalogue), empty.Errors.Keys);

        var entry = await harness.ApproverList.AddCatalogueEntryAsync(ServiceHarness.ContosoOfficer, harness.Contoso, "Exchange:mailbox/*", AccessLevel.Read, TimeSpan.FromHours(2));
        await harness.ApproverList.ChangePolicyAsync(ServiceHarness.ContosoOfficer, harness.Contoso, on);
        var last = await Assert.ThrowsAsync<InvalidInputException>(() =>
            harness.ApproverList.RemoveCatalogueEntryAsync(ServiceHarness.ContosoOfficer, harness.Contoso, entry!.Id));
        Assert.Contains(ApproverListServiceField, last.Errors.Keys);

        var added = Assert.Single(await harness.AuditOfTypeAsync(AuditEventType.Catalogue_EntryAdded));
        Assert.Contains("Exchange:mailbox/*", added.DetailsJson, StringComparison.Ordinal);
        Assert.Empty(await harness.AuditOfTypeAsync(AuditEventType.Catalogue_EntryRemoved));
    }

    [Theory]
    [InlineData("Exchange:mailbox/*/x", AccessLevel.Read, 2)]
    [InlineData("*", AccessLevel.Read, 2)]
    [InlineData("Exchange:mailbox/\u202Eoof", AccessLevel.Read, 2)]
    [InlineData("Exchange:mailbox/*", AccessLevel.Read, 9)]
    [InlineData("Exchange:mailbox/*", (AccessLevel)7, 2)]
    public async Task ABadCatalogueEntry_IsRefusedWithAMessage_AndAddsNothing(string pattern, AccessLevel level, double hours)
    {
        await using var harness = await ServiceHarness.CreateAsync();

        await Assert.ThrowsAsync<InvalidInputException>(() =>
            harness.ApproverList.AddCatalogueEntryAsync(ServiceHarness.ContosoOfficer, harness.Contoso, pattern, level, TimeSpan.FromHours(hours)));

        await using var db = harness.NewContext();
        Assert.Equal(0, await db.ScopeCatalogueEntries.CountAsync());
        Assert.Empty(await harness.AuditOfTypeAsync(AuditEventType.Catalogue_EntryAdded));
    }

    [Fact]
    public async Task OnlyTheTenantsOfficer_MayChangeItsCatalogue()
    {
        await using var harness = await ServiceHarness.CreateAsync();

        await Assert.ThrowsAnyAsync<LockboxRuleException>(() => harness.ApproverList.AddCatalogueEntryAsync(
            ServiceHarness.Approver1, harness.Contoso, "Exchange:mailbox/*", AccessLevel.Read, TimeSpan.FromHours(2)));
        await Assert.ThrowsAnyAsync<LockboxRuleException>(() => harness.ApproverList.AddCatalogueEntryAsync(
            ServiceHarness.ContosoOfficer, harness.Northwind, "Sql:*", AccessLevel.Read, TimeSpan.FromHours(2)));

        await using var db = harness.NewContext();
        Assert.Equal(0, await db.ScopeCatalogueEntries.CountAsync());
    }

    private const string ApproverListServiceField = Features.Approvers.ApproverListService.CatalogueField;

    private static async Task<int> CountAsync(ServiceHarness harness)
    {
        await using var db = harness.NewContext();
        return await db.AccessRequests.CountAsync();
    }
}
