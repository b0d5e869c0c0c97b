using System.Globalization;
using LockboxPortal.Features.AccessRequests;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;

namespace LockboxPortal.Features.Approvers.Pages;

/// <summary>Create, list and revoke delegations; the lists re-read whenever authority changes in any tenant.</summary>
public sealed partial class DelegationsPage
{
    private const string LocalFormat = "yyyy-MM-dd'T'HH:mm";

    private static readonly (string Title, DelegationStatus Status, string TestId)[] Sections =
    [
        ("Active", DelegationStatus.Active, "delegations-active"),
        ("Upcoming", DelegationStatus.Upcoming, "delegations-upcoming"),
        ("Past", DelegationStatus.Ended, "delegations-past"),
    ];

    private IReadOnlyList<DelegationTenantOption> _options = [];
    private IReadOnlyList<DelegationRow> _rows = [];
    private DelegationForm _form = new();
    private IReadOnlyDictionary<string, string[]> _errors = new Dictionary<string, string[]>();
    private bool _loaded;
    private bool _busy;

    [Inject]
    private DelegationQueries Queries { get; set; } = default!;

    [Inject]
    private DelegationService Delegations { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    private DelegationTenantOption? SelectedOption => _options.FirstOrDefault(o => o.TenantId == _form.TenantId);

    protected override async Task OnInitializedAsync()
    {
        await LoadAsync();
        if (_options.Count > 0)
        {
            TenantChanged(_options[0].TenantId);
        }
    }

    private async Task ReloadAsync()
    {
        await LoadAsync();
        StateHasChanged();
    }

    private async Task LoadAsync()
    {
        var user = (await AuthenticationState).User;
        try
        {
            _options = await Queries.ListDelegationOptionsAsync(user);
            _rows = await Queries.ListDelegationsAsync(user);
        }
        catch (LockboxRuleException ex)
        {
            // The cookie still says tenant staff, storage no longer does.
            (_options, _rows) = ([], []);
            Snackbar.Add(ex.Message, Severity.Warning);
        }

        _loaded = true;
    }

    private void TenantChanged(Guid tenantId)
    {
        var now = Time.GetUtcNow();
        var option = _options.First(o => o.TenantId == tenantId);
        _form = new DelegationForm
        {
            TenantId = tenantId,
            DelegatorId = option.Delegators.Count == 1 ? option.Delegators[0].UserId : null,
            StartsAt = now.AddHours(1).UtcDateTime.ToString(LocalFormat, CultureInfo.InvariantCulture),
            EndsAt = now.AddDays(1).UtcDateTime.ToString(LocalFormat, CultureInfo.InvariantCulture),
        };
    }

    private bool Has(string field) => _errors.ContainsKey(field);

    private string? ErrorOf(string field) => _errors.TryGetValue(field, out var messages) ? string.Join(" ", messages) : null;

    private async Task CreateAsync()
    {
        var errors = new Dictionary<string, string[]>();
        var startsAt = _form.StartNow ? null : ParseUtc(_form.StartsAt, nameof(DelegationInput.StartsAt), errors);
        var endsAt = ParseUtc(_form.EndsAt, nameof(DelegationInput.EndsAt), errors);
        _errors = errors;
        if (errors.Count > 0)
        {
            return;
        }

        await RunAsync(async user =>
        {
            var created = await Delegations.CreateDelegationAsync(user,
                new DelegationInput(_form.TenantId, _form.DelegatorId, _form.DelegateId, startsAt, endsAt!.Value, _form.Reason));
            Snackbar.Add($"{created.DelegateName} may now decide on behalf of {created.DelegatorName} from {created.StartsAt:u}.", Severity.Success);
            TenantChanged(_form.TenantId);
        });
    }

    private Task RevokeAsync(DelegationRow row) => RunAsync(async user =>
    {
        await Delegations.RevokeDelegationAsync(user, row.Delegation.Id);
        Snackbar.Add($"Delegation to {row.Delegation.DelegateName} revoked.", Severity.Info);
    });

    private async Task RunAsync(Func<System.Security.Claims.ClaimsPrincipal, Task> change)
    {
        _busy = true;
        try
        {
            await change((await AuthenticationState).User);
            _errors = new Dictionary<string, string[]>();
        }
        catch (DelegationRefusedException ex)
        {
            _errors = new Dictionary<string, string[]> { [ex.Field] = [ex.Message] };
        }
        catch (LockboxRuleException ex)
        {
            Snackbar.Add(ex.Message, Severity.Warning);
        }
        finally
        {
            _busy = false;
        }

        await LoadAsync();
    }

    private static DateTimeOffset? ParseUtc(string? text, string field, Dictionary<string, string[]> errors)
    {
        if (DateTime.TryParseExact(text, [LocalFormat, "yyyy-MM-dd'T'HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
        {
            return new DateTimeOffset(value, TimeSpan.Zero);
        }

        errors[field] = ["Enter a date and time."];
        return null;
    }

    private sealed class DelegationForm
    {
        public Guid TenantId { get; set; }

        public string? DelegatorId { get; set; }

        public string? DelegateId { get; set; }

        public bool StartNow { get; set; } = true;

        public string? StartsAt { get; set; }

        public string? EndsAt { get; set; }

        public string? Reason { get; set; }
    }
}
