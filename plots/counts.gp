# Per-call counts as grouped bars: one panel per counter (remote shootdowns,
# full flushes, faults), a group per case, a bar per kernel (column), the
# value on top.  Variables from NAME.vars.gp: datafile, outbase, ttl, ncols,
# coltitle[], ncases, width, boxw, nbars, barlabel[], ymax[], xticsdef.
set termoption noenhanced
do for [fmt in "png svg"] {
	if (fmt eq "png") {
		set terminal pngcairo size width,1000 font "sans,10" noenhanced
	} else {
		set terminal svg size width,1000 font "sans,10" noenhanced background rgb "white"
	}
	set output outbase.".".fmt
	# fixed margins: the key on the right, the case labels under the last panel
	set multiplot layout nbars,1 title ttl margins screen 0.08, screen 0.76, \
		screen 0.11, screen 0.91 spacing screen 0.025
	set xrange [0.4:ncases+0.6]
	set boxwidth boxw*0.9 absolute
	set style fill solid 0.6 border
	set grid ytics
	set key outside right top vertical
	do for [b=1:nbars] {
		set ylabel barlabel[b]."\nper sample (count)"
		set yrange [0:ymax[b]]
		if (b == nbars) { eval xticsdef } else { set xtics 1 format "" }
		if (b == 1) { set key } else { unset key }
		plot for [i=1:ncols] datafile index (i-1) using 1:(column(b+1)) with boxes \
			lc i title coltitle[i], \
		     for [i=1:ncols] datafile index (i-1) using 1:(column(b+1)):(sprintf("%.3g", column(b+1))) \
			with labels offset 0,0.7 font ",8" notitle
	}
	unset multiplot
	set output
}
