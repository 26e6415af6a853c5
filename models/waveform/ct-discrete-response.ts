// The frequency response of the CT's sample-level network (ct-waveform.ts) below the knee: what its pin samples carry
// per amp of line current at `hz`, as [re, im]. Each element is discretised as the CtWaveform discretises it, which in
// the z domain is the analog element with s replaced by
//   trapezoidal (magnetising inductance, filter capacitor):  s = (2/T)(1 - z^-1)/(1 + z^-1)
//   backward Euler (leakage inductance, C42):                s = (1 - z^-1)/T
// with z = e^(j 2 pi hz T). The front end's waveform level divides the circuit's exact response by this one to design
// the filter that follows the CT (front-end-waveform.ts).
import { Complex } from 'complex.js';
import type { CurrentTransformerConfig } from '../frontend/current-transformer.ts';
import type { RcFilterConfig } from '../frontend/rc-filter.ts';

export function ctDiscreteResponse(ct: Readonly<CurrentTransformerConfig>, filter: Readonly<RcFilterConfig>, hz: number, sampleRateHz: number): Complex {
  const T = 1 / sampleRateHz;
  const w = 2 * Math.PI * hz * T;
  const zInv = new Complex(Math.cos(w), -Math.sin(w));
  const one = new Complex(1, 0);
  const sTr = one.sub(zInv).div(one.add(zInv)).mul(2 / T);
  const sBe = one.sub(zInv).div(T);
  const inv = (z: Complex): Complex => one.div(z);
  // Magnetising branch Lm || Rc; the series winding Rw + Lleak.
  const zm = inv(new Complex(1 / ct.coreLossOhms, 0).add(inv(sTr.mul(ct.magnetisingHenries))));
  const zs = new Complex(ct.windingOhms, 0).add(sBe.mul(ct.leakageHenries));
  // The filter's shunt (Cf || Rload) and its branch Rf + that; the terminal node: burden, C42, filter branch.
  const gLoad = Number.isFinite(filter.loadOhms) ? 1 / filter.loadOhms : 0;
  const zp = inv(new Complex(gLoad, 0).add(sTr.mul(filter.cFarads)));
  const zBranch = zp.add(filter.rOhms);
  const zt = inv(new Complex(1 / ct.burdenOhms, 0).add(sBe.mul(ct.parallelCapFarads)).add(inv(zBranch)));
  const j = (ct.reversed ? -1 : 1) / ct.ratio;
  const is = zm.div(zm.add(zs).add(zt)).mul(j);
  return is.mul(zt).mul(zp.div(zBranch));
}
