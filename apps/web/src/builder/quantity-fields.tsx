import { COMPARATORS, type QuantityInput } from './filter-values';

/** The form of a quantity filter: a comparison (or a range), its number(s) and its unit. */
export function QuantityFields({
  idPrefix,
  input,
  units,
  problem,
  onChange,
}: {
  idPrefix: string;
  input: QuantityInput;
  units: readonly { code: string; display: string }[];
  problem: string | null;
  onChange: (input: QuantityInput) => void;
}) {
  const set = (patch: Partial<QuantityInput>) => onChange({ ...input, ...patch });
  return (
    <div class="quantity-fields">
      <label for={`${idPrefix}-mode`}>Comparison</label>
      <select
        id={`${idPrefix}-mode`}
        value={input.mode}
        onChange={(event) => set({ mode: event.currentTarget.value as QuantityInput['mode'] })}
      >
        <option value="none">any value</option>
        {COMPARATORS.map(([code, symbol]) => (
          <option key={code} value={code}>
            {symbol}
          </option>
        ))}
        <option value="range">between</option>
      </select>
      {input.mode === 'range' ? (
        <>
          <label for={`${idPrefix}-min`}>From</label>
          <input
            id={`${idPrefix}-min`}
            inputMode="decimal"
            value={input.minValue}
            onInput={(event) => set({ minValue: event.currentTarget.value })}
          />
          <label for={`${idPrefix}-max`}>To</label>
          <input
            id={`${idPrefix}-max`}
            inputMode="decimal"
            value={input.maxValue}
            onInput={(event) => set({ maxValue: event.currentTarget.value })}
          />
        </>
      ) : (
        input.mode !== 'none' && (
          <>
            <label for={`${idPrefix}-value`}>Value</label>
            <input
              id={`${idPrefix}-value`}
              inputMode="decimal"
              value={input.value}
              onInput={(event) => set({ value: event.currentTarget.value })}
            />
          </>
        )
      )}
      {input.mode !== 'none' && units.length > 0 && (
        <>
          <label for={`${idPrefix}-unit`}>Unit</label>
          <select
            id={`${idPrefix}-unit`}
            value={input.unit}
            onChange={(event) => set({ unit: event.currentTarget.value })}
          >
            {units.map((unit) => (
              <option key={unit.code} value={unit.code}>
                {unit.display}
              </option>
            ))}
          </select>
        </>
      )}
      {problem !== null && (
        <p class="field-problem" role="alert">
          {problem}
        </p>
      )}
    </div>
  );
}
