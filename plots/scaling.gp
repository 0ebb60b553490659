# A line per case and kernel over a scaling axis (number of PUDs, or remote
# participants): the median latency per call with its 95% CI as error bars
# (ylog = 1), or a count per call (lo = hi = the count).  Variables from
# NAME.vars.gp: datafile, outbase, ttl, xlab, ylab, ylog, nseries,
# sertitle[], serhue[] (colour: the case), serdash[] (dash: the kernel),
# width.
set termoption noenhanced
# dark, distinct colours (the default 5th, yellow, is hard to see on white)
array hues[8] = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"]
do for [h=1:8] { set linetype h lc rgb hues[h] }
do for [fmt in "png svg"] {
	if (fmt eq "png") {
		set terminal pngcairo size width,700 font "sans,10" noenhanced
	} else {
		set terminal svg size width,700 font "sans,10" noenhanced background rgb "white"
	}
	set output outbase.".".fmt
	set title ttl
	set xlabel xlab
	set ylabel ylab
	if (ylog) { set logscale y } else { unset logscale y; set yrange [0:*] }
	set grid xtics ytics mytics
	set xtics 1
	set autoscale xfix
	set offsets 0.25, 0.25, 0, 0
	set key outside right top vertical
	plot for [i=1:nseries] datafile index (i-1) using 1:2:3:4 with yerrorlines \
		lc serhue[i] dt serdash[i] lw 1.5 pt 7 ps 0.8 title sertitle[i]
	set output
}
