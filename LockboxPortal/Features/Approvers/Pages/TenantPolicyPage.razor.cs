using System.Security.Claims;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Tenants;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;

namespace LockboxPortal.Features.Approvers.Pages;

/// <summary>The security officer's page for one tenant: its approver list and its lockbox policy.</summary>
public sealed partial class TenantPolicyPage
{
    private const string UserIdField = "UserId";

    private IReadOnlyList<TenantChoice> _tenants = [];
    private Guid _tenantId;
    private TenantApprovers? _view;
    private PolicyForm _form = new();
    private string? _candidateId;
    private string? _escalationCandidateId;
    private IReadOnlyDictionary<string, string[]> _errors = new Dictionary<string, string[]>();
    private string? _failure;
    private bool _busy;
    private string? _userId;

    [Inject]
    private ApproverListQueries Queries { get; set; } = default!;

    [Inject]
    private ApproverListService Approvers { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Parameter]
    public Guid? TenantId { get; set; }

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    protected override async Task OnParametersSetAsync()
    {
        var user = (await AuthenticationState).User;
        _userId = user.FindFirstValue(ClaimTypes.NameIdentifier);
        _errors = new Dictionary<string, string[]>();
        try
        {
            _tenants = await Queries.ListOfficerTenantsAsync(user);
        }
        catch (LockboxRuleException)
        {
            // The cookie still says officer, storage no longer does.
            _tenants = [];
            _tenantId = Guid.Empty;
            _view = null;
            _failure = "You are not the security officer of any tenant.";
            return;
        }

        _tenantId = TenantId ?? _tenants.FirstOrDefault()?.Id ?? Guid.Empty;
        await LoadAsync(resetForm: true);
    }

    private async Task LoadAsync(bool resetForm)
    {
        _failure = null;
        if (_tenantId == Guid.Empty)
        {
            _view = null;
            _failure = "You are not the security officer of any tenant.";
            return;
        }

        try
        {
            _view = await Queries.GetTenantAsync((await AuthenticationState).User, _tenantId);
            if (resetForm)
            {
                _form = PolicyForm.From(_view.Policy);
            }
        }
        catch (LockboxRuleException ex)
        {
            _view = null;
            _failure = ex.Message;
        }
    }

    private async Task ReloadListAsync()
    {
        if (!_busy)
        {
            await LoadAsync(resetForm: false);
            StateHasChanged();
        }
    }

    private void PickTenant(Guid tenantId) => Navigation.NavigateTo($"tenants/{tenantId}/policy");

    private bool Has(string field) => _errors.ContainsKey(field);

    private string? ErrorOf(string field) => _errors.TryGetValue(field, out var messages) ? string.Join(" ", messages) : null;

    private Task AddAsync() => RunAsync(async user =>
    {
        Say(await Approvers.AddApproverAsync(user, _tenantId, _candidateId!), "Approver added.");
        _candidateId = null;
    });

    private Task RemoveAsync(Actor person) => RunAsync(async user =>
        Say(await Approvers.RemoveApproverAsync(user, _tenantId, person.UserId), $"{person.DisplayName} is no longer an approver."));

    private Task AddEscalationAsync() => RunAsync(async user =>
    {
        Say(await Approvers.AddEscalationApproverAsync(user, _tenantId, _escalationCandidateId!), "Escalation approver added.");
        _escalationCandidateId = null;
    });

    private Task RemoveEscalationAsync(Actor person) => RunAsync(async user =>
        Say(await Approvers.RemoveEscalationApproverAsync(user, _tenantId, person.UserId), $"{person.DisplayName} is no longer an escalation approver."));

    private string? _catalogPattern;
    private AccessLevel _catalogLevel = AccessLevel.Read;
    private TimeSpan _catalogDuration = TimeSpan.FromHours(4);

    private Task AddCatalogueAsync() => RunAsync(async user =>
    {
        var entry = await Approvers.AddCatalogueEntryAsync(user, _tenantId, _catalogPattern, _catalogLevel, _catalogDuration);
        Say(entry is null ? ChangeOutcome.Proposed : ChangeOutcome.Applied, $"{entry?.Pattern} added to the catalogue.");
        _catalogPattern = null;
    });

    private Task RemoveCatalogueAsync(ScopeCatalogueEntry entry) => RunAsync(async user =>
        Say(await Approvers.RemoveCatalogueEntryAsync(user, _tenantId, entry.Id), $"{entry.Pattern} removed from the catalogue."));

    private Task SaveAsync() => RunAsync(async user =>
        Say(await Approvers.ChangePolicyAsync(user, _tenantId, _form.ToPolicy(_view!.Policy)), "Policy saved."), resetForm: true);

    private Task ApproveChangeAsync(PolicyChange change) => RunAsync(async user =>
    {
        await Approvers.ApprovePolicyChangeAsync(user, change.Id);
        Snackbar.Add($"Approved and applied: {change.Title}.", Severity.Success);
    }, resetForm: true);

    private Task RejectChangeAsync(PolicyChange change) => RunAsync(async user =>
    {
        await Approvers.RejectPolicyChangeAsync(user, change.Id);
        Snackbar.Add($"Rejected: {change.Title}.", Severity.Info);
    });

    private Task WithdrawChangeAsync(PolicyChange change) => RunAsync(async user =>
    {
        await Approvers.WithdrawPolicyChangeAsync(user, change.Id);
        Snackbar.Add($"Withdrawn: {change.Title}.", Severity.Info);
    });

    /// <summary>Under the two-person rule a change waits; the officer is told so, not that it was saved.</summary>
    private void Say(ChangeOutcome outcome, string applied)
    {
        var (text, severity) = outcome switch
        {
            ChangeOutcome.Applied => (applied, Severity.Success),
            ChangeOutcome.Proposed => ("Proposed: it takes effect when a second security officer approves it.", Severity.Info),
            _ => ("Nothing changed.", Severity.Normal),
        };
        Snackbar.Add(text, severity);
    }

    private bool IsMine(PolicyChange change) => string.Equals(change.ProposedById, _userId, StringComparison.Ordinal);

    /// <summary>Runs one change; bad input shows beside its field and changes nothing, other refusals above the page.</summary>
    private async Task RunAsync(Func<System.Security.Claims.ClaimsPrincipal, Task> change, bool resetForm = false)
    {
        _busy = true;
        _errors = new Dictionary<string, string[]>();
        try
        {
            await change((await AuthenticationState).User);
            _busy = false;
            await LoadAsync(resetForm);
        }
        catch (InvalidInputException ex)
        {
            _errors = ex.Errors;
        }
        catch (LockboxRuleException ex)
        {
            Snackbar.Add(ex.Message, Severity.Warning);
            _busy = false;
            await LoadAsync(resetForm: false);
        }
        finally
        {
            _busy = false;
        }
    }

    /// <summary>The policy in the units people type: whole hours for the pending lifetime, hours with decimals for grants.</summary>
    private sealed class PolicyForm
    {
        public int RequiredApprovals { get; set; }

        public int PendingHours { get; set; }

        public decimal MaxGrantHours { get; set; }

        public decimal DefaultGrantHours { get; set; }

        public bool RequireTicketReference { get; set; }

        public bool RequireTwoFactor { get; set; }

        public bool RequireFreshFactor { get; set; }

        public int FreshFactorMinutes { get; set; }

        public bool RemindApprovers { get; set; }

        public bool Escalate { get; set; }

        public int EscalateHours { get; set; }

        public HashSet<RequestReason> Refused { get; set; } = [];

        public HashSet<RequestReason> Stricter { get; set; } = [];

        public int StricterRequiredApprovals { get; set; }

        public bool RequireCatalogue { get; set; }

        public bool RequireSecondOfficer { get; set; }

        public bool AllowEmergencyAccess { get; set; }

        public int EmergencyWindowHours { get; set; }

        public int EmergencyGrantMinutes { get; set; }

        public static PolicyForm From(TenantPolicy policy) => new()
        {
            RequiredApprovals = policy.RequiredApprovals,
            PendingHours = (int)policy.PendingLifetime.TotalHours,
            MaxGrantHours = (decimal)policy.MaxGrantDuration.TotalHours,
            DefaultGrantHours = (decimal)policy.DefaultGrantDuration.TotalHours,
            RequireTicketReference = policy.RequireTicketReference,
            RequireTwoFactor = policy.RequireTwoFactor,
            RequireFreshFactor = policy.RequireFreshFactor,
            FreshFactorMinutes = (int)policy.FreshFactorWindow.TotalMinutes,
            RemindApprovers = policy.RemindApprovers,
            Escalate = policy.EscalateAfter is not null,
            EscalateHours = (int)(policy.EscalateAfter ?? TimeSpan.FromHours(4)).TotalHours,
            Refused = policy.RefusedReasons.Members().ToHashSet(),
            Stricter = policy.StricterReasons.Members().ToHashSet(),
            StricterRequiredApprovals = policy.StricterRequiredApprovals,
            RequireCatalogue = policy.RequireCatalogue,
            RequireSecondOfficer = policy.RequireSecondOfficer,
            AllowEmergencyAccess = policy.AllowEmergencyAccess,
            EmergencyWindowHours = (int)policy.EmergencyRatificationWindow.TotalHours,
            EmergencyGrantMinutes = (int)policy.EmergencyGrantDuration.TotalMinutes,
        };

        /// <summary>The form's values over <paramref name="basis"/>, so a policy field this form does not show keeps its value.</summary>
        public TenantPolicy ToPolicy(TenantPolicy basis) => basis with
        {
            RequiredApprovals = RequiredApprovals,
            PendingLifetime = TimeSpan.FromHours(Math.Clamp(PendingHours, -1_000, 1_000)),
            MaxGrantDuration = Minutes(MaxGrantHours),
            DefaultGrantDuration = Minutes(DefaultGrantHours),
            RequireTicketReference = RequireTicketReference,
            RequireTwoFactor = RequireTwoFactor,
            RequireFreshFactor = RequireFreshFactor,
            FreshFactorWindow = TimeSpan.FromMinutes(Math.Clamp(FreshFactorMinutes, -1_000, 1_000)),
            RemindApprovers = RemindApprovers,
            EscalateAfter = Escalate ? TimeSpan.FromHours(Math.Clamp(EscalateHours, -1_000, 1_000)) : null,
            RefusedReasons = Refused.ToSet(),
            StricterReasons = Stricter.ToSet(),
            StricterRequiredApprovals = StricterRequiredApprovals,
            RequireCatalogue = RequireCatalogue,
            RequireSecondOfficer = RequireSecondOfficer,
            AllowEmergencyAccess = AllowEmergencyAccess,
            EmergencyRatificationWindow = TimeSpan.FromHours(Math.Clamp(EmergencyWindowHours, -1_000, 1_000)),
            EmergencyGrantDuration = TimeSpan.FromMinutes(Math.Clamp(EmergencyGrantMinutes, -1_000, 1_000)),
        };

        public static void Toggle(HashSet<RequestReason> set, RequestReason reason, bool on)
        {
            if (on)
            {
                set.Add(reason);
            }
            else
            {
                set.Remove(reason);
            }
        }

        // Clamped only to stay inside TimeSpan; the policy's own validation gives the real answer.
        private static TimeSpan Minutes(decimal hours) => TimeSpan.FromMinutes((double)Math.Round(Math.Clamp(hours, -1_000m, 1_000m) * 60m));
    }
}
